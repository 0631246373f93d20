"""Which intent, and for a FAQ question which topic: one text classifier for both.

TF-IDF over word and character n-grams with logistic regression, over flat labels
(`faq/<topic>` for FAQ questions, else the intent). Measured with `make bench` against DIET
with the ResponseSelector on the same data: more right on both held-out sets, trained in
seconds instead of minutes, and a few milliseconds a message with no TensorFlow on the
hot path (README, "Understanding figures"). Plain scikit-learn, no Rasa:
components/intent_classifier.py puts it in the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from clinic.text_features import text_features

SUB_INTENT_SEPARATOR = "/"


def fit(texts: Sequence[str], labels: Sequence[str], c: float = 10.0) -> Pipeline:
    if len(set(labels)) < 2:
        raise ValueError("the intent model needs examples of at least two labels")
    # Balanced classes: symptom reports have four times a FAQ topic's examples (the safety
    # path needs their variety), and unweighted they pulled FAQ questions about "my face"
    # into reports (5-fold CV topic accuracy 87.3% unweighted, 88.3% balanced).
    model = make_pipeline(text_features((2, 4)), LogisticRegression(C=c, class_weight="balanced", max_iter=3000))
    return model.fit(list(texts), list(labels))


def split_label(label: str) -> Tuple[str, str]:
    """ "faq/cost" -> ("faq", "faq/cost"); "greet" -> ("greet", "")."""
    intent, separator, _ = label.partition(SUB_INTENT_SEPARATOR)
    return intent, label if separator else ""


@dataclass(frozen=True)
class Guess:
    """The model's reading of one message."""

    intents: List[Tuple[str, float]]  # every intent, best first; a retrieval intent sums its topics
    topics: Dict[str, List[Tuple[str, float]]]  # per retrieval intent: its topics, best first, summing to 1


def guess(model: Pipeline, text: str) -> Guess:
    probabilities = model.predict_proba([text])[0]
    intents: Dict[str, float] = {}
    topics: Dict[str, List[Tuple[str, float]]] = {}
    for label, probability in zip(model.classes_, probabilities):
        intent, key = split_label(str(label))
        intents[intent] = intents.get(intent, 0.0) + float(probability)
        if key:
            topics.setdefault(intent, []).append((key, float(probability)))
    for intent, ranked in topics.items():
        total = intents[intent] or 1.0
        topics[intent] = sorted(((key, p / total) for key, p in ranked), key=lambda pair: -pair[1])
    return Guess(sorted(intents.items(), key=lambda pair: -pair[1]), topics)
