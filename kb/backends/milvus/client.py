"""The Milvus connection and the schemas of kb's two collections. pymilvus is imported here
and nowhere else, and only when a client or a collection is made (it is slow to import)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import IndexUnreachableError
from kb.index.bm25 import K1, B
from kb.models.shown import without_passwords

if TYPE_CHECKING:
    from pymilvus import MilvusClient


class MilvusUnavailableError(IndexUnreachableError):
    """Milvus could not be reached or opened."""


@lru_cache(maxsize=8)
def client(uri: str, token: str = "") -> MilvusClient:
    """One client per URI and process (milvus-lite allows one process per file)."""
    from pymilvus import MilvusClient

    # pymilvus logs every failed call with a traceback (and milvus-lite's missing RPCs as
    # warnings); kb reports its errors itself. Set after the import, which configures them.
    for name in ("pymilvus", "grpc._server", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    lite = "://" not in uri
    # milvus-lite's server allows a keepalive ping every 5 minutes; pymilvus pings every 10 s
    # and long calls (publishing 100k chunks) then end in GOAWAY "too_many_pings".
    options = {"grpc.keepalive_time_ms": 600_000} if lite else {}
    try:
        return MilvusClient(uri=uri, token=token, grpc_options=options)
    except Exception as err:  # pymilvus raises its own types, and OSError for a bad path
        hint = ""
        if lite and not Path(uri).resolve().parent.is_dir():
            hint = f" (the folder {Path(uri).resolve().parent} does not exist)"
        elif lite:
            hint = (
                " (milvus-lite opens a file in one process at a time: is another kb process, "
                "a kb serve or the app, using it?)"
            )
        said = without_passwords(f"cannot open Milvus at {uri}: {err}{hint}")
        raise MilvusUnavailableError(said) from err


RECORD_BYTES = 65_535  # the most a chunk's record (its JSON line) may hold


def create_chunks(c: MilvusClient, name: str, dim: int) -> None:
    """The chunk collection: id, page and order, the chunk record, BM25 terms, the vector and
    the filter fields."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("path", DataType.VARCHAR, max_length=4096)
    schema.add_field("seq", DataType.INT64)
    schema.add_field("record", DataType.VARCHAR, max_length=RECORD_BYTES)
    schema.add_field(
        "terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True, enable_match=True
    )
    schema.add_field("length", DataType.INT64)  # words BM25 counts, for collection stats
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("department", DataType.VARCHAR, max_length=512)
    schema.add_field("team", DataType.VARCHAR, max_length=512)
    for field in ("tags", "authors"):
        schema.add_field(
            field,
            DataType.ARRAY,
            element_type=DataType.VARCHAR,
            max_capacity=4096,
            max_length=512,
        )
    schema.add_field("updated", DataType.VARCHAR, max_length=32)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )
    index = c.prepare_index_params()
    index.add_index(field_name="vector", index_type="FLAT", metric_type="COSINE")
    index.add_index(
        field_name="sparse",
        index_type="SPARSE_INVERTED_INDEX",
        metric_type="BM25",
        params={"bm25_k1": K1, "bm25_b": B},
    )
    # Strong: a reader that sees the new generation also sees every chunk written before.
    c.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")


def create_records(c: MilvusClient, name: str) -> None:
    """The records collection: texts (page records, the manifest) stored in parts by key."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=8192)
    schema.add_field("name", DataType.VARCHAR, max_length=8192)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)
    schema.add_field("part", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=65535)
    # Milvus wants a vector in every collection; records are only ever read by key.
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
    index = c.prepare_index_params()
    index.add_index(field_name="unused", index_type="FLAT", metric_type="L2")
    c.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")
