"""Where an index is served from: an index folder (`local`) or a Milvus collection (`milvus/`),
behind one interface (`base`); `location` names the place and picks its backend, `shards`
splits the indexing of a shared one between runners."""
