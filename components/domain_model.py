"""Is a message about the clinic at all? A binary text classifier, trained on the clinic's
own examples against thousands of everyday requests written for other assistants.

The intent classifier only knows the clinic's intents, so it is confident about everything: "set a 4 minute
timer" looked like the duration question to it. This model knows the rest of the world from
public intent corpora (corpora/README.md), so it can tell that such a message is none of the
clinic's business. When its character and word n-grams are unsure, a second classifier over
sentence vectors (components/sentence_encoder.py) can decline what is clearly elsewhere.
Plain scikit-learn, no Rasa: components/domain_gate.py puts it in the pipeline,
bench/other_domains.py measures it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from clinic.one_text import predict_proba_one
from clinic.text_features import text_features

Vectors = NDArray[np.float32]

# Intents whose examples are the clinic's domain: what a visitor asks or reports about the
# treatment or a visit, and the answers the booking form reads ("this sunday at 11am" reads
# like a calendar request, and the model often calls it a booking wish). Small talk (greet,
# affirm, ...) is nobody's domain, so it is neither.
# Not ask_clinic_details: the gate guards the FAQ answers and the booking form, and short
# contact questions ("do u have whatsapp", "ur number pls") read like other assistants'
# requests; as positives they made "do u sell concert tickets" look like the clinic's.
IN_DOMAIN_INTENTS = frozenset({"faq", "book_appointment", "ask_beyond_article", "report_symptom", "inform"})
# The clinic's own written off-topic examples join the corpora's as negatives.
OUT_OF_DOMAIN_INTENTS = frozenset({"out_of_scope"})


class CorpusError(ValueError):
    """A corpus file is missing or not in the expected shape."""


def read_corpus(path: Path) -> List[str]:
    """The `text` column of a corpus TSV (comment lines start with #)."""
    if not path.is_file():
        raise CorpusError(f"{path}: corpus file not found")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        if not rows.fieldnames or "text" not in rows.fieldnames:
            raise CorpusError(f"{path}: needs a header line with a `text` column")
        return [row["text"] for row in rows if row.get("text")]


def build(c: float = 10.0) -> Pipeline:
    """Character n-grams (typos, "mirconeedling") and word pairs; classes balanced because
    the corpora outnumber the clinic's examples about 30 to 1."""
    return make_pipeline(text_features((2, 5)), LogisticRegression(C=c, class_weight="balanced", max_iter=3000))


@dataclass
class DomainModel:
    """The n-gram model, and optionally a second one over sentence vectors that is asked
    only when the first is unsure (below `unsure_below`): it declines what it finds clearly
    elsewhere (below `elsewhere_below`). N-grams see "book" in "book a taxi for tomorrow" and
    think of the clinic's booking; sentence vectors know it is about a taxi."""

    sparse: Pipeline
    dense: Optional[LogisticRegression] = None
    unsure_below: float = 0.5
    elsewhere_below: float = 0.3


def fit(
    in_domain: Sequence[str],
    out_of_domain: Sequence[str],
    c: float = 10.0,
    vectors: Optional[Tuple[Vectors, Vectors]] = None,
    unsure_below: float = 0.5,
    elsewhere_below: float = 0.3,
) -> DomainModel:
    """`vectors`: the sentence vectors of `in_domain` and `out_of_domain`, to train the second model too."""
    if not in_domain or not out_of_domain:
        raise ValueError("the domain model needs examples of both kinds")
    labels = [1] * len(in_domain) + [0] * len(out_of_domain)
    sparse = build(c).fit([*in_domain, *out_of_domain], labels)
    dense = None
    if vectors is not None:
        inside, outside = vectors
        if len(inside) != len(in_domain) or len(outside) != len(out_of_domain):
            raise ValueError("one sentence vector per text is needed")
        dense = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        dense.fit(np.vstack([inside, outside]), labels)
    return DomainModel(sparse, dense, unsure_below, elsewhere_below)


def in_domain_probability(model: Union[DomainModel, Pipeline], texts: Sequence[str]) -> List[float]:
    """For each text, the n-gram model's probability that it is about the clinic (0..1)."""
    if not texts:
        return []
    sparse = model.sparse if isinstance(model, DomainModel) else model  # a model stored before 2026-11-27
    if len(texts) == 1:  # a visitor's message
        return [float(predict_proba_one(sparse, texts[0])[1])]
    return [float(p) for p in sparse.predict_proba(list(texts))[:, 1]]


def asks_for_meaning(model: Union[DomainModel, Pipeline], probability: float) -> bool:
    """Is the n-gram model unsure enough about a text that the sentence vectors are asked?"""
    return isinstance(model, DomainModel) and model.dense is not None and probability < model.unsure_below


def elsewhere_by_meaning(model: DomainModel, vector: Vectors) -> Optional[float]:
    """The sentence-vector model's probability that the text is about the clinic, when it
    is low enough to decline the text; else None."""
    if model.dense is None:
        return None
    probability = float(model.dense.predict_proba(np.asarray(vector).reshape(1, -1))[0][1])
    return probability if probability < model.elsewhere_below else None
