"""The pipeline's safety net (components/safety_net.py): which messages it makes reports."""

from __future__ import annotations

from typing import List, Tuple

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.safety_net import RED_FLAGS_KEY, REPORT_INTENT, RedFlagSafetyNet


def parsed(text: str, guesses: List[Tuple[str, float]]) -> Message:
    """A message as the classifier leaves it: its best guess and its ranking."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in guesses]
    message = Message(data={TEXT: text})
    message.set(INTENT, ranking[0])
    message.set(INTENT_RANKING_KEY, ranking)
    return message


def verdict(message: Message) -> str:
    (message,) = RedFlagSafetyNet({}).process([message])
    return message.get(INTENT)["name"]


def test_a_red_flag_is_a_report_whatever_the_classifier_guessed():
    message = parsed("my lips are swollen and i cant breathe properly", [("faq", 0.9), ("greet", 0.05)])
    (message,) = RedFlagSafetyNet({}).process([message])
    assert message.get(INTENT) == {"name": REPORT_INTENT, "confidence": 1.0}
    assert "breathing" in message.get(RED_FLAGS_KEY)


@pytest.mark.parametrize(
    "guesses, report",
    [
        # Unsure, and a report among the two best guesses: the report path reads it.
        ([("report_symptom", 0.47), ("faq", 0.39), ("greet", 0.1)], True),
        ([("ask_beyond_article", 0.40), ("report_symptom", 0.31), ("faq", 0.2)], True),
        # Unsure, but a report only third: "I didn't understand" as before.
        ([("faq", 0.45), ("book_appointment", 0.30), ("report_symptom", 0.2)], False),
        # Sure of something else: the classifier's answer stands.
        ([("faq", 0.8), ("report_symptom", 0.15), ("greet", 0.05)], False),
    ],
)
def test_an_unsure_message_the_classifier_half_reads_as_a_report_goes_the_report_way(guesses, report):
    # No listed sign and no treatment named: only the classifier's guesses can tell.
    text = "the room is doing a little waltz and i had to sit on the floor"
    assert (verdict(parsed(text, guesses)) == REPORT_INTENT) is report


def test_a_general_question_is_left_to_the_classifier_however_unsure():
    guesses = [("faq", 0.45), ("report_symptom", 0.40)]
    assert verdict(parsed("can micro-needling cause an infection?", guesses)) == "faq"


def test_a_few_unsure_words_are_an_answer_not_a_report():
    """Mid-form, "Faulty Tester" is a name: the form asks for the phone number next."""
    guesses = [("report_symptom", 0.31), ("out_of_scope", 0.2), ("faq", 0.12)]
    assert verdict(parsed("Faulty Tester", guesses)) == "report_symptom"  # untouched, unsure
    (message,) = RedFlagSafetyNet({}).process([parsed("Faulty Tester", guesses)])
    assert message.get(INTENT)["confidence"] == 0.31


def test_someone_just_treated_in_words_the_list_lacks_is_read_by_the_severity_model_first():
    """Confident model guesses that are not reports (a topic, the clinic's details) do not
    hide a red flag from someone just treated: the severity model reads it first."""
    text = "my dad had his needling at noon and since then he cant get a word out and his face droops on one side"
    message = parsed(text, [("ask_clinic_details", 0.93), ("faq", 0.04)])
    (message,) = RedFlagSafetyNet({}).process([message])
    assert message.get(INTENT)["name"] == REPORT_INTENT
    assert message.get(RED_FLAGS_KEY) == ["described_as_serious"]


def test_an_ordinary_question_from_someone_just_treated_keeps_the_models_answer():
    text = "had my session this morning, what are your opening hours on saturday"
    assert verdict(parsed(text, [("ask_clinic_details", 0.93), ("faq", 0.04)])) == "ask_clinic_details"
