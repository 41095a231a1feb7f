"""Answering a query: retrieval, fusion, snippets, experts."""
