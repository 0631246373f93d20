"""Is a message about the clinic at all? A binary text classifier, trained on the clinic's
own examples against thousands of everyday requests written for other assistants.

The intent classifier only knows the clinic's intents, so it is confident about everything: "set a 4 minute
timer" looked like the duration question to it. This model knows the rest of the world from
public intent corpora (corpora/README.md), so it can tell that such a message is none of the
clinic's business. Plain scikit-learn, no Rasa: components/domain_gate.py puts it in the
pipeline, bench/other_domains.py measures it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import List, Sequence

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from clinic.text_features import text_features

# Intents whose examples are the clinic's domain: what a visitor asks or reports about the
# treatment or a visit, and the answers the booking form reads ("this sunday at 11am" reads
# like a calendar request, and the model often calls it a booking wish). Small talk (greet,
# affirm, ...) is nobody's domain, so it is neither.
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


def fit(in_domain: Sequence[str], out_of_domain: Sequence[str], c: float = 10.0) -> Pipeline:
    if not in_domain or not out_of_domain:
        raise ValueError("the domain model needs examples of both kinds")
    labels = [1] * len(in_domain) + [0] * len(out_of_domain)
    return build(c).fit([*in_domain, *out_of_domain], labels)


def in_domain_probability(model: Pipeline, texts: Sequence[str]) -> List[float]:
    """For each text, the probability that it is about the clinic (0..1)."""
    if not texts:
        return []
    return [float(p) for p in model.predict_proba(list(texts))[:, 1]]
