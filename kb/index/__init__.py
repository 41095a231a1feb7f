"""The index on disk: the folder kb owns (folder, lock), its lines (codec) and manifest, the
vectors and BM25; reading it (store), writing it (writer), and what a build may reuse
(incremental)."""
