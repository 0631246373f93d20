"""The one-message scorer gives the pipeline's own probabilities, for each shape the project uses."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from bench.understanding import read_labelled
from clinic import severity
from clinic.one_text import predict_proba_one
from clinic.paths import REPO_ROOT, REPORTS_CORPUS_PATH
from clinic.text_features import text_features

HELDOUT = [(text, label) for text, label in read_labelled(REPO_ROOT / "bench" / "heldout.tsv")]
# Words no training text has, an empty message, emoji and digits: the columns may all be unknown.
ODD_TEXTS = ["", "zzqx vvbnm", "🙂🙂", "101.8", "a", "AFTER MY TREATMENT!!! my face is RED, is that ok??"]


def _same_as_sklearn(pipeline, texts):
    for text in texts:
        expected = pipeline.predict_proba([text])[0]
        got = predict_proba_one(pipeline, text)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12, err_msg=text)


@pytest.fixture(scope="module")
def labelled_texts():
    assert len(HELDOUT) > 300
    return [text for text, _ in HELDOUT], [label for _, label in HELDOUT]


def test_many_classes_as_the_intent_model_is_built(labelled_texts):
    texts, labels = labelled_texts
    assert len(set(labels)) > 10
    pipeline = make_pipeline(text_features((2, 4)), LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000))
    pipeline.fit(texts[::2], labels[::2])
    _same_as_sklearn(pipeline, texts[1::2] + ODD_TEXTS)


def test_two_classes_as_the_domain_gate_is_built(labelled_texts):
    texts, labels = labelled_texts
    in_scope = [label.startswith("faq/") for label in labels]
    pipeline = make_pipeline(text_features((2, 5)), LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000))
    pipeline.fit(texts[::2], in_scope[::2])
    _same_as_sklearn(pipeline, texts[1::2] + ODD_TEXTS)


def test_the_severity_model_with_its_readings_in_words_step():
    reports = severity.read_reports(REPORTS_CORPUS_PATH)
    pipeline = severity.train(reports[::2])
    assert isinstance(pipeline.steps[0][1], FunctionTransformer)
    _same_as_sklearn(pipeline, [text for text, _ in reports[1::2]][:400] + ODD_TEXTS + ["temp 39.2 and pus"])


def test_a_pipeline_of_another_shape_is_passed_to_sklearn(labelled_texts):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    texts, labels = labelled_texts
    pipeline = make_pipeline(CountVectorizer(), MultinomialNB()).fit(texts, labels)
    _same_as_sklearn(pipeline, texts[:20])


def test_the_project_classifiers_are_of_the_shape_it_knows(labelled_texts):
    """Not silently the slow path: the intent model, the domain gate and the severity model."""
    from clinic import one_text
    from components import domain_model, intent_model

    texts, labels = labelled_texts
    assert one_text._scorer(intent_model.fit(texts, labels).sparse) is not None
    assert one_text._scorer(domain_model.build().fit(texts, [label.startswith("faq/") for label in labels])) is not None
    assert one_text._scorer(severity.train(severity.read_reports(REPORTS_CORPUS_PATH)[:400])) is not None
