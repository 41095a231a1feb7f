"""The bearer-token rule of every kb server (`kb serve`, `kb mcp --transport http`)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from kb.errors import KbError


def api_token(environ: Mapping[str, str]) -> str:
    """The token a server requires: KB_API_TOKEN without the spaces around it (a token read
    from a file often ends in a newline); "" when unset or empty. Spaces alone are refused:
    a secret that did not arrive, which would leave a server that says it wants a token."""
    given = environ.get("KB_API_TOKEN", "")
    if given and not given.strip():
        raise KbError(
            "KB_API_TOKEN is blank (only spaces or line breaks): set it to a secret, or unset "
            "it to serve this machine only"
        )
    return given.strip()


def bearer_ok(authorization: str, token: str) -> bool:
    """Whether an Authorization header carries `token`: the scheme is case-insensitive
    (RFC 9110), the token compared in constant time, spaces around either ignored (a token
    read from a file often ends in a newline). A blank `token` is matched by nothing."""
    scheme, _, given = authorization.strip().partition(" ")
    wanted = token.strip()
    return bool(wanted) and (
        scheme.casefold() == "bearer"
        and hmac.compare_digest(
            given.strip().encode("utf-8", "surrogateescape"),
            wanted.encode("utf-8", "surrogateescape"),
        )
    )
