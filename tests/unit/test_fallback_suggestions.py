"""The not-understood reply's suggestions: which of the model's guesses become buttons."""

from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from bench.understanding import Prediction, metrics
from clinic.texts import load_messages, suggestion_questions
from components.fallback_suggestions import (
    SUGGESTED_KEY,
    FallbackSuggestions,
    best_intent,
    ranked_labels,
    suggestions,
)

QUESTIONS = suggestion_questions(load_messages())


def _intents(*pairs: Tuple[str, float]) -> List[Dict[str, Any]]:
    return [{"name": "nlu_fallback", "confidence": 0.5}, *({"name": n, "confidence": c} for n, c in pairs)]


def _topics(*pairs: Tuple[str, float]) -> List[Dict[str, Any]]:
    return [{"intent_response_key": key, "confidence": c} for key, c in pairs]


def _message(intents: List[Dict[str, Any]], topics: List[Dict[str, Any]], in_domain: Optional[float] = None) -> Message:
    data: Dict[str, Any] = {
        "text": "need an appt asap",
        "intent": intents[0],
        "intent_ranking": intents,
        "response_selector": {"faq": {"ranking": topics}},
    }
    if in_domain is not None:
        data["in_domain"] = in_domain
    return Message(data=data)


def test_a_faq_guess_is_split_into_its_topics_so_topics_and_intents_compare():
    labels = ranked_labels(
        _intents(("faq", 0.4), ("book_appointment", 0.35)), _topics(("faq/cost", 0.75), ("faq/duration", 0.25))
    )
    assert labels == [
        ("book_appointment", 0.35),
        ("faq/cost", pytest.approx(0.3)),
        ("faq/duration", pytest.approx(0.1)),
    ]


def test_the_two_best_the_assistant_can_act_on_among_the_top_three():
    labels = [("faq/cost", 0.3), ("greet", 0.2), ("book_appointment", 0.15), ("faq/duration", 0.1)]
    assert suggestions(labels, "faq", 3) == ["faq/cost", "book_appointment"]
    assert suggestions(labels, "faq", 2) == ["faq/cost", "request_human"]  # one guess: a person is the other


def test_no_suggestions_when_the_best_intent_is_small_talk_off_topic_or_beyond_the_article():
    labels = [("faq/cost", 0.3), ("book_appointment", 0.2)]
    for intent in ("greet", "out_of_scope", "ask_beyond_article"):
        assert suggestions(labels, intent, 3) == []
    assert suggestions([("request_human", 0.4), ("greet", 0.3)], "request_human", 3) == []  # no second guess


def test_the_best_intent_is_the_one_behind_the_fallback():
    assert best_intent(_intents(("book_appointment", 0.44), ("faq", 0.3))) == "book_appointment"
    assert best_intent([{"name": "nlu_fallback", "confidence": 0.5}]) == ""


def test_a_fallback_message_gets_the_questions_as_entities_and_the_labels_listed():
    component = FallbackSuggestions(FallbackSuggestions.get_default_config())
    message = _message(_intents(("book_appointment", 0.44), ("faq", 0.3)), _topics(("faq/cost", 1.0)), 0.97)
    component.process([message])
    assert message.get(SUGGESTED_KEY) == ["book_appointment", "faq/cost"]
    entities = {e["entity"]: e["value"] for e in message.get("entities")}
    assert entities == {"faq_choice_1": QUESTIONS["book_appointment"], "faq_choice_2": QUESTIONS["faq/cost"]}
    assert all(e["extractor"] == "FallbackSuggestions" for e in message.get("entities"))


def test_the_domain_gates_doubt_or_an_understood_message_gets_no_suggestions():
    component = FallbackSuggestions(FallbackSuggestions.get_default_config())
    doubted = _message(_intents(("faq", 0.44)), _topics(("faq/cost", 0.6), ("faq/duration", 0.4)), 0.19)
    understood = _message(_intents(("faq", 0.9)), _topics(("faq/cost", 1.0)), 0.99)
    understood.set("intent", {"name": "faq", "confidence": 0.9})
    component.process([doubted, understood])
    assert doubted.get(SUGGESTED_KEY) is None and understood.get(SUGGESTED_KEY) is None
    assert not doubted.get("entities") and not understood.get("entities")


def test_every_label_that_can_be_suggested_has_a_question():
    assert {"book_appointment", "request_human"} <= set(QUESTIONS)
    assert all(text.strip() for text in QUESTIONS.values())


def test_the_benchmark_counts_a_suggestion_as_right_after_one_click_only():
    right = Prediction("need an appt", "book_appointment", "nlu_fallback", 0.44, ("book_appointment", "request_human"))
    wrong = Prediction("hmm", "faq/cost", "nlu_fallback", 0.3, ("faq/duration", "request_human"))
    result = metrics([right, wrong])
    assert result["in_scope_recall"] == 0.0
    assert result["in_scope_after_one_click"] == 0.5
