"""Text features for the project's small text classifiers (intent and topic, domain, severity)."""

from __future__ import annotations

from typing import Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_union


def text_features(char_ngrams: Tuple[int, int]) -> FeatureUnion:
    """Character n-grams within words (typos: "mirconeedling", "downtme") and words and word
    pairs (which words, and "how long" vs "how many")."""
    return make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, sublinear_tf=True),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
