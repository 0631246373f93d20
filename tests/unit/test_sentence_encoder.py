"""The sentence encoder `make install` puts in place, and the intent model's cascade to it."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import numpy as np
import pytest

from components import intent_model
from components.sentence_encoder import DIMENSIONS, EncoderUnavailableError, SentenceEncoder, shared_encoder


def test_two_wordings_of_one_question_are_closer_than_another_question():
    vectors = shared_encoder().encode(
        ["how long will i be at the clinic", "what's the duration of the appointment", "how much does it cost"]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)  # unit length: dot = cosine
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_batches_and_single_messages_give_the_same_vectors():
    encoder = shared_encoder()
    texts = ["hi", "does micro-needling hurt a lot or just a little bit"]
    together = encoder.encode(texts, batch_size=2)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-4)  # padding does not change a message's vector
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_texts_batched_by_length_come_back_in_the_order_given():
    """The encoder batches texts of like length together (far less padding); each row must
    still be its own text's vector."""
    encoder = shared_encoder()
    texts = [
        "does micro-needling hurt a lot or just a little bit, and for how long afterwards",
        "hi",
        "what is it",
        "",
        "how long until I see results on my acne scars",
    ]
    together = encoder.encode(texts, batch_size=2)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_a_missing_encoder_says_how_to_get_it(tmp_path: Path):
    with pytest.raises(EncoderUnavailableError, match="make install"):
        SentenceEncoder(tmp_path / "absent")


TEXTS = ["how long does it take", "how long is a session", "what is the price", "how much does it cost"] * 3
LABELS = ["faq/duration", "faq/duration", "faq/cost", "faq/cost"] * 3


class RecordingEncoder:
    """Stands in for the encoder: says "duration" for texts with 'time' in them, and records calls."""

    def __init__(self) -> None:
        self.calls: List[List[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[1.0, 0.0] if ("time" in t or "long" in t) else [0.0, 1.0] for t in texts])


def test_the_encoder_is_asked_only_when_the_n_grams_are_unsure():
    encode = RecordingEncoder()
    model = intent_model.fit(TEXTS, LABELS, embeddings=encode(TEXTS), cascade_below=0.7)
    encode.calls.clear()
    sure = intent_model.probabilities(model, "how much does it cost", encode)
    assert sure.max() >= 0.7 and encode.calls == []
    unsure = intent_model.probabilities(model, "time needed?", encode)  # no n-gram in common
    assert encode.calls == [["time needed?"]]
    assert model.classes_[unsure.argmax()] == "faq/duration"  # the vectors decided
    assert abs(unsure.sum() - 1.0) < 1e-6


def test_without_vectors_the_model_is_n_grams_alone():
    model = intent_model.fit(TEXTS, LABELS)
    assert model.dense is None
    encode = RecordingEncoder()
    intent_model.probabilities(model, "time needed?", encode)
    assert encode.calls == []


def test_vectors_must_match_the_texts():
    with pytest.raises(ValueError, match="sentence vectors"):
        intent_model.fit(TEXTS, LABELS, embeddings=np.zeros((2, 2)))
