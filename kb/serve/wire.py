"""kb's value types as JSON and back, for the app's use of the HTTP API (`kb.serve.client`).

`dump` turns a dataclass (nested ones, tuples, dicts) into plain JSON values; `load` rebuilds
it from its type hints, so both ends share one definition: the dataclasses in `kb.models`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def dump(value: Any) -> Any:
    """Plain JSON values: dataclasses become objects, tuples and sets lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(dump(v) for v in value)
    return value


def load(kind: type[T] | Any, data: Any) -> T:
    """The value of type `kind` that `dump` turned into `data`."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if data is None else load(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(load(args[0], v) for v in data)
        return tuple(load(a, v) for a, v in zip(args, data, strict=True))
    if origin in (list, frozenset, set):
        (arg,) = typing.get_args(kind)
        return origin(load(arg, v) for v in data)
    if origin is dict:
        key, value = typing.get_args(kind)
        return {load(key, k): load(value, v) for k, v in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{k: load(hints[k], v) for k, v in data.items() if k in fields})
    if kind is float and isinstance(data, int):
        return float(data)
    return data
