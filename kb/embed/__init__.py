"""Turning text into vectors: the Embedder protocol and its encoders."""
