"""Which intent, and for a FAQ question which topic: one text classifier for both.

TF-IDF over word and character n-grams with logistic regression, over flat labels
(`faq/<topic>` for FAQ questions, else the intent). Measured with `make bench` against DIET
with the ResponseSelector on the same data: more right on both held-out sets, trained in
seconds instead of minutes, and a few milliseconds a message (README, "Understanding
figures"). When it is unsure (about a quarter of messages), a second logistic regression
over sentence vectors (components/sentence_encoder.py) is asked too: n-grams don't know
that "how long will i be there" and "duration" mean one thing. Plain scikit-learn, no
Rasa: components/intent_classifier.py puts it in the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from clinic.one_text import predict_proba_one
from clinic.text_features import text_features

SUB_INTENT_SEPARATOR = "/"
# Sentence vectors for texts (components/sentence_encoder.py), or None to use n-grams alone.
Vectors = NDArray[np.float32]
Encode = Callable[[Sequence[str]], Vectors]


@dataclass
class IntentModel:
    """The n-gram classifier, and optionally a second one over sentence vectors that is asked
    only when the first is unsure (its best label below `cascade_below`); their
    probabilities are then averaged with `dense_weight` on the second."""

    sparse: Pipeline
    dense: Optional[LogisticRegression] = None
    cascade_below: float = 0.7
    dense_weight: float = 0.5

    @property
    def classes_(self) -> NDArray[np.str_]:
        return np.asarray(self.sparse.classes_)


def _classifier(c: float) -> LogisticRegression:
    # Balanced classes: symptom reports have four times a FAQ topic's examples (the safety
    # path needs their variety), and unweighted they pulled FAQ questions about "my face"
    # into reports (5-fold CV topic accuracy 87.3% unweighted, 88.3% balanced).
    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    c: float = 10.0,
    embeddings: Optional[Vectors] = None,
    cascade_below: float = 0.7,
    dense_weight: float = 0.5,
) -> IntentModel:
    """`embeddings`: the texts' sentence vectors, to train the second classifier too."""
    if len(set(labels)) < 2:
        raise ValueError("the intent model needs examples of at least two labels")
    sparse = make_pipeline(text_features((2, 4)), _classifier(c)).fit(list(texts), list(labels))
    dense = None
    if embeddings is not None:
        if len(embeddings) != len(texts):
            raise ValueError(f"{len(embeddings)} sentence vectors for {len(texts)} texts")
        dense = _classifier(c).fit(embeddings, list(labels))
    return IntentModel(sparse, dense, cascade_below, dense_weight)


# When the n-grams' best label is "the article can't answer that", it stands: sentence
# vectors know that "is morpheus8 better for jowls" is about results and conditions, and
# averaged they turned such questions into a confident wrong answer. A wrong medical answer
# costs more than an honest "I can't answer that here" (README, Understanding figures:
# beyond-the-article declines rose on four of five held-out sets, a few FAQ questions were
# declined instead).
SPARSE_STANDS = frozenset({"ask_beyond_article"})


def probabilities(model: IntentModel, text: str, encode: Optional[Encode] = None) -> NDArray[np.float64]:
    """Each label's probability, in the order of `model.classes_`."""
    sparse = predict_proba_one(model.sparse, text)
    if model.dense is None or encode is None or sparse.max() >= model.cascade_below:
        return sparse
    if model.classes_[int(sparse.argmax())] in SPARSE_STANDS:
        return sparse
    dense = np.asarray(model.dense.predict_proba(encode([text]))[0], dtype=np.float64)
    return (1 - model.dense_weight) * sparse + model.dense_weight * dense


def split_label(label: str) -> Tuple[str, str]:
    """ "faq/cost" -> ("faq", "faq/cost"); "greet" -> ("greet", "")."""
    intent, separator, _ = label.partition(SUB_INTENT_SEPARATOR)
    return intent, label if separator else ""


@dataclass(frozen=True)
class Guess:
    """The model's reading of one message."""

    intents: List[Tuple[str, float]]  # every intent, best first; a retrieval intent sums its topics
    topics: Dict[str, List[Tuple[str, float]]]  # per retrieval intent: its topics, best first, summing to 1


def guess(model: IntentModel, text: str, encode: Optional[Encode] = None) -> Guess:
    intents: Dict[str, float] = {}
    topics: Dict[str, List[Tuple[str, float]]] = {}
    for label, probability in zip(model.classes_, probabilities(model, text, encode)):
        intent, key = split_label(str(label))
        intents[intent] = intents.get(intent, 0.0) + float(probability)
        if key:
            topics.setdefault(intent, []).append((key, float(probability)))
    for intent, ranked in topics.items():
        total = intents[intent] or 1.0
        topics[intent] = sorted(((key, p / total) for key, p in ranked), key=lambda pair: -pair[1])
    return Guess(sorted(intents.items(), key=lambda pair: -pair[1]), topics)
