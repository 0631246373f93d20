"""The intent and FAQ topic classifier (plain model and Rasa component) and the clarifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.texts import load_messages, topic_questions
from components import intent_model
from components.intent_classifier import SparseIntentClassifier
from components.topic_clarifier import ASK_RESPONSE, CHOICES_KEY, TopicClarifier, close_pair

TOPIC_QUESTIONS = topic_questions(load_messages())
EXAMPLES = {
    "faq/duration": ["how long does it take", "how long is a session", "how many minutes is the treatment"],
    "faq/cost": ["how much does it cost", "what is the price", "how much do you charge"],
    "faq/procedure": ["does it hurt", "who does the treatment", "what happens during the treatment"],
    "greet": ["hi", "hello", "good morning"],
    "book_appointment": ["i want to book", "can i make an appointment", "book me in please"],
}
RESPONSES = {f"utter_{label}": [{"text": f"answer for {label}"}] for label in EXAMPLES if label.startswith("faq/")}


def _training_data() -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        intent, key = intent_model.split_label(label)
        for text in texts:
            data: Dict[str, Any] = {TEXT: text, INTENT: intent}
            if key:
                data[INTENT_RESPONSE_KEY] = key
            messages.append(Message(data))
    return TrainingData(messages, responses=RESPONSES)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> SparseIntentClassifier:
    folder = tmp_path_factory.mktemp("storage")
    storage = LocalModelStorage(folder)
    resource = Resource("intent_classifier")
    config = SparseIntentClassifier.get_default_config()
    SparseIntentClassifier(config, storage, resource).train(_training_data())
    # What `rasa run` does: load the trained model back from the model storage.
    return SparseIntentClassifier.load(config, storage, resource, None)  # type: ignore[arg-type]


def _parse(classifier: SparseIntentClassifier, text: str) -> Message:
    (message,) = classifier.process([Message({TEXT: text})])
    return message


def test_split_label_separates_the_retrieval_intent_from_its_topic():
    assert intent_model.split_label("faq/cost") == ("faq", "faq/cost")
    assert intent_model.split_label("greet") == ("greet", "")


def test_a_faq_question_reports_intent_faq_and_the_response_selectors_shape(classifier):
    message = _parse(classifier, "how long will the session take")
    assert message.get(INTENT)["name"] == "faq"
    selected = message.get("response_selector")["faq"]
    assert message.get("response_selector")["all_retrieval_intents"] == ["faq"]
    assert selected["response"]["intent_response_key"] == "faq/duration"
    assert selected["response"]["utter_action"] == "utter_faq/duration"
    assert selected["response"]["responses"] == [{"text": "answer for faq/duration"}]
    ranking = selected["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/duration"
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6  # topics share the faq intent's mass


def test_the_faq_intent_sums_its_topics_and_the_ranking_is_ordered(classifier):
    message = _parse(classifier, "what does it cost")
    ranking = message.get(INTENT_RANKING_KEY)
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1.0) < 1e-6
    assert message.get(INTENT) == ranking[0]
    assert {r["name"] for r in ranking} == {"faq", "greet", "book_appointment"}


@pytest.mark.parametrize(
    ("text", "intent"), [("hello there", "greet"), ("please book me an appointment", "book_appointment")]
)
def test_other_intents_are_classified_too(classifier, text, intent):
    assert _parse(classifier, text).get(INTENT)["name"] == intent


def test_a_message_without_text_is_left_alone(classifier):
    (message,) = classifier.process([Message({})])
    assert message.get(INTENT) is None


def test_the_model_needs_two_labels():
    with pytest.raises(ValueError):
        intent_model.fit(["hi", "hello"], ["greet", "greet"])


def test_without_a_trained_model_nothing_is_classified(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    loaded = SparseIntentClassifier.load({}, storage, Resource("never_trained"), None)  # type: ignore[arg-type]
    (message,) = loaded.process([Message({TEXT: "how much is it"})])
    assert message.get(INTENT) is None


# The clarifier ------------------------------------------------------------------------


def _faq_message(ranking: List[Dict[str, Any]]) -> Message:
    best = ranking[0][INTENT_RESPONSE_KEY]
    selector = {
        "all_retrieval_intents": ["faq"],
        "faq": {
            "response": {"intent_response_key": best, "utter_action": f"utter_{best}", "confidence": 0.5},
            "ranking": ranking,
        },
    }
    intent = {"name": "faq", "confidence": 0.9}
    return Message({TEXT: "some question", INTENT: intent, INTENT_RANKING_KEY: [intent], "response_selector": selector})


def _ranking(*pairs: Any) -> List[Dict[str, Any]]:
    return [{INTENT_RESPONSE_KEY: key, "confidence": p} for key, p in pairs]


def test_close_pair_needs_two_topics_within_the_margin():
    assert close_pair(_ranking(("faq/a", 0.45), ("faq/b", 0.40)), 0.1) == ["faq/a", "faq/b"]
    assert close_pair(_ranking(("faq/a", 0.55), ("faq/b", 0.45)), 0.1) == []  # exactly the margin: answer
    assert close_pair(_ranking(("faq/a", 1.0)), 0.1) == []


def test_two_close_topics_ask_which_one_with_both_questions_as_entities():
    clarifier = TopicClarifier(TopicClarifier.get_default_config())
    (message,) = clarifier.process([_faq_message(_ranking(("faq/recovery", 0.42), ("faq/side_effects", 0.38)))])
    response = message.get("response_selector")["faq"]["response"]
    assert response["utter_action"] == ASK_RESPONSE
    assert response["intent_response_key"] == "faq/recovery"  # the contract's best topic stays
    assert message.get(CHOICES_KEY) == ["faq/recovery", "faq/side_effects"]
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [
        ("faq_choice_1", TOPIC_QUESTIONS["recovery"]),
        ("faq_choice_2", TOPIC_QUESTIONS["side_effects"]),
    ]


def test_a_clear_topic_or_another_intent_is_answered_as_it_is():
    clarifier = TopicClarifier({"margin": 0.1})
    (clear,) = clarifier.process([_faq_message(_ranking(("faq/cost", 0.9), ("faq/results", 0.05)))])
    assert clear.get("response_selector")["faq"]["response"]["utter_action"] == "utter_faq/cost"
    assert clear.get(CHOICES_KEY) is None and not clear.get(ENTITIES)
    report = _faq_message(_ranking(("faq/recovery", 0.42), ("faq/side_effects", 0.38)))
    report.set(INTENT, {"name": "report_symptom", "confidence": 1.0})  # the safety net's verdict wins
    (message,) = clarifier.process([report])
    assert message.get(CHOICES_KEY) is None


def test_every_topic_has_a_question_for_its_button():
    from clinic.topics import FAQ_TOPICS

    assert set(TOPIC_QUESTIONS) == set(FAQ_TOPICS)
    assert len(set(TOPIC_QUESTIONS.values())) == len(FAQ_TOPICS)
    assert all(question.endswith("?") for question in TOPIC_QUESTIONS.values())


def test_the_buttons_follow_the_articles_order_not_the_near_tie():
    clarifier = TopicClarifier({"margin": 0.1})
    (message,) = clarifier.process([_faq_message(_ranking(("faq/side_effects", 0.42), ("faq/recovery", 0.38)))])
    assert message.get(CHOICES_KEY) == ["faq/recovery", "faq/side_effects"]
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/side_effects"


def test_the_loaded_classifier_has_its_sentence_encoder_ready(classifier):
    """Trained with the encoder (the default), loaded with it warmed up: a visitor's first
    unsure message does not wait for TensorFlow to load it."""
    assert classifier._stored["model"].dense is not None
    assert classifier._encode is not None


def test_a_model_trained_before_the_sentence_encoder_still_loads(tmp_path: Path):
    from components import model_files
    from components.intent_classifier import MODEL_FILE

    storage = LocalModelStorage(tmp_path)
    resource = Resource("old_model")
    texts = [text for texts in EXAMPLES.values() for text in texts]
    labels = [label for label, texts in EXAMPLES.items() for _ in texts]
    old = {"model": intent_model.fit(texts, labels).sparse, "responses": RESPONSES, "retrieval_intents": ["faq"]}
    model_files.save(storage, resource, MODEL_FILE, old)
    loaded = SparseIntentClassifier.load({}, storage, resource, None)  # type: ignore[arg-type]
    (message,) = loaded.process([Message({TEXT: "how much does it cost"})])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/cost"


class _Fixed:
    """A classifier stand-in that always gives the same probabilities."""

    def __init__(self, probabilities: List[float]) -> None:
        self.classes_ = np.array(["ask_beyond_article", "faq/results"])
        self._probabilities = np.array([probabilities])

    def predict_proba(self, _texts: object) -> np.ndarray:
        return self._probabilities


def _no_vectors(texts: object) -> np.ndarray:
    return np.zeros((1, 3), dtype=np.float32)


def test_an_unsure_cant_answer_stands_against_the_sentence_vectors():
    """The n-grams say "the article can't answer that", the sentence vectors say "results":
    averaged, the visitor would get a confident wrong answer, so the decline stands."""
    model = intent_model.IntentModel(_Fixed([0.6, 0.4]), _Fixed([0.0, 1.0]), cascade_below=0.7)  # type: ignore[arg-type]
    assert list(intent_model.probabilities(model, "is morpheus8 better", _no_vectors)) == [0.6, 0.4]


def test_sentence_vectors_still_weigh_in_on_an_unsure_topic():
    model = intent_model.IntentModel(_Fixed([0.4, 0.6]), _Fixed([1.0, 0.0]), cascade_below=0.7)  # type: ignore[arg-type]
    assert list(intent_model.probabilities(model, "laser or this", _no_vectors)) == pytest.approx([0.7, 0.3])
