"""The Milvus backend: one collection of chunks (dense vector, BM25 function field, filter
fields) and one of records (pages, the manifest), on a Milvus server, cluster or milvus-lite.

`collection` is the location (`MilvusCollection`), `reader` the read side, `publish` writing
a built index folder into the collection, `records` the records collection and row helpers,
`client` the connection and the schemas (the one module that imports pymilvus).
"""
