"""The plain baseline: TF-IDF over words and character n-grams + logistic regression.

scikit-learn is the version Rasa 3.6 pins (1.1.x). It has no fallback threshold: every
message gets its most likely label, as a keyword FAQ would.
"""

from __future__ import annotations

from typing import List, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from bench.understanding import Answer, Labelled, Predictor


def fit(examples: Labelled) -> Predictor:
    model = make_pipeline(
        make_union(
            TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        ),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit([text for text, _ in examples], [label for _, label in examples])

    def predict(texts: Sequence[str]) -> List[Answer]:
        if not texts:
            return []
        probabilities = model.predict_proba(list(texts))
        best = probabilities.argmax(axis=1)
        return [Answer(str(model.classes_[i]), float(p[i])) for i, p in zip(best, probabilities)]

    return predict
