"""The index on disk: vectors, BM25, the folder kb owns, its manifest and files."""
