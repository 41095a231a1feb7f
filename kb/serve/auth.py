"""The bearer-token rule of every kb server (`kb serve`, `kb mcp --transport http`)."""

from __future__ import annotations

import hmac


def bearer_ok(authorization: str, token: str) -> bool:
    """Whether an Authorization header carries `token`: the scheme is case-insensitive
    (RFC 9110), the token compared in constant time, spaces around either ignored (a token
    read from a file often ends in a newline)."""
    scheme, _, given = authorization.strip().partition(" ")
    wanted = token.strip()
    return scheme.casefold() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8", "surrogateescape"), wanted.encode("utf-8", "surrogateescape")
    )
