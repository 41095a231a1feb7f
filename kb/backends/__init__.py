"""Where an index is served from: the local folder or Milvus, behind one interface."""
