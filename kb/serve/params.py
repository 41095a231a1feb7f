"""How the HTTP API and the MCP server read a number they are given."""

from __future__ import annotations

from pydantic import BeforeValidator

from kb.inputs import number

# A number as every shell reads one (`kb.inputs.number`): a JSON number, or plain digits as
# text. pydantic read `k=1_0` as 10, `+5`, ` 5`, `5.0` as 5, and `true` as 1. Each goes after
# the `Query`/`Field` that bounds the number: before it, pydantic writes the bounds into the
# schema as `ge`/`le`, which no JSON Schema reader knows, not as `minimum`/`maximum`.
Whole = BeforeValidator(number)
Decimal = BeforeValidator(lambda v: number(v, whole=False))
