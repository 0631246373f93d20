"""A fitted text classifier's probabilities for one message, without scikit-learn's per-call work.

The project's classifiers (intent and topic, domain gate, severity) are scikit-learn
pipelines: optionally a FunctionTransformer, then TF-IDF vectorizers joined by a
FeatureUnion, then a LogisticRegression. `Pipeline.predict_proba([text])` checks and
validates every step on every call (it even rebuilds each vectorizer's idf vector from a
sparse matrix to see that it is fitted): for one message that was over nine tenths of
the 1.1-2.0 ms each classifier took, and a message passes through two or three of them.

Here the same arithmetic runs on one text with the fitted pipeline's own parts (its
analyzers, vocabularies, idf weights and coefficients); a unit test checks the result
against `predict_proba` on the project's texts. A pipeline of any other shape is simply
passed to `predict_proba`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class _Vectorizer:
    analyze: Callable[[str], List[str]]
    vocabulary: Dict[str, int]
    idf: Optional[Floats]
    sublinear_tf: bool
    offset: int  # where its columns start in the FeatureUnion's output

    def features(self, text: str) -> Tuple[NDArray[np.intp], Floats]:
        counts: Dict[int, int] = {}
        for term in self.analyze(text):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values = values * self.idf[columns]
        length = np.sqrt(np.dot(values, values))  # norm="l2", the only one taken here
        values = values / length if length > 0 else values
        return columns + self.offset, values


@dataclass(frozen=True)
class _Scorer:
    prepare: Sequence[Callable[[List[str]], List[str]]]
    vectorizers: Sequence[_Vectorizer]
    coef: Floats  # (classes or 1, features)
    intercept: Floats
    binary: bool  # two classes (a logistic function), else many (softmax: multinomial)

    def probabilities(self, text: str) -> Floats:
        texts = [text]
        for step in self.prepare:
            texts = list(step(texts))
        parts = [vectorizer.features(texts[0]) for vectorizer in self.vectorizers]
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        decision = self.coef[:, columns] @ values + self.intercept
        if self.binary:  # the second class's probability
            positive = float(expit(decision[0]))
            return np.array([1.0 - positive, positive])
        return np.asarray(softmax(decision), dtype=np.float64)


def _scorer(pipeline: Pipeline) -> Optional[_Scorer]:
    """The pipeline's parts, or None when it is not of the shape this module knows."""
    steps = [step for _, step in pipeline.steps]
    if len(steps) < 2 or not isinstance(steps[-1], LogisticRegression) or not isinstance(steps[-2], FeatureUnion):
        return None
    prepare = steps[:-2]
    if not all(isinstance(step, FunctionTransformer) and not step.validate for step in prepare):
        return None
    union, classifier = steps[-2], steps[-1]
    vectorizers_as_built = [t for _, t in union.transformer_list]
    if union.transformer_weights or not all(
        isinstance(t, TfidfVectorizer) and t.norm == "l2" and not t.binary for t in vectorizers_as_built
    ):
        return None
    # What the project's classifiers are (lbfgs, multi_class="auto"): two classes through the
    # logistic function, more through softmax. Anything else goes to predict_proba.
    binary = len(classifier.classes_) == 2
    if classifier.multi_class != "auto" or classifier.solver == "liblinear" or len(classifier.classes_) < 2:
        return None
    vectorizers, offset = [], 0
    for vectorizer in vectorizers_as_built:
        vectorizers.append(
            _Vectorizer(
                analyze=vectorizer.build_analyzer(),
                vocabulary=vectorizer.vocabulary_,
                idf=np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None,
                sublinear_tf=vectorizer.sublinear_tf,
                offset=offset,
            )
        )
        offset += len(vectorizer.vocabulary_)
    prepare_steps = [_applying(step) for step in prepare]
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    return _Scorer(prepare_steps, vectorizers, coef, np.asarray(classifier.intercept_, dtype=np.float64), binary)


def _applying(step: FunctionTransformer) -> Callable[[List[str]], List[str]]:
    func = step.func or (lambda texts: texts)
    kwargs = step.kw_args or {}
    return lambda texts: func(texts, **kwargs)


# Built once per fitted pipeline (a model is loaded once and asked many times).
_scorers: weakref.WeakKeyDictionary[Pipeline, Optional[_Scorer]] = weakref.WeakKeyDictionary()


def predict_proba_one(pipeline: Pipeline, text: str) -> Floats:
    """`pipeline.predict_proba([text])[0]`, in the order of `pipeline.classes_`."""
    if not isinstance(pipeline, Pipeline):  # any other model (a stand-in in a test)
        return np.asarray(pipeline.predict_proba([text])[0], dtype=np.float64)
    if pipeline not in _scorers:
        _scorers[pipeline] = _scorer(pipeline)
    scorer = _scorers[pipeline]
    if scorer is None:
        return np.asarray(pipeline.predict_proba([text])[0], dtype=np.float64)
    return scorer.probabilities(text)
