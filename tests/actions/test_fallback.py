"""action_ask_rephrase: the model's two guesses as buttons when it has them, else the plain prompt."""

import asyncio

from rasa_sdk import Tracker

from actions.fallback import ActionAskRephrase, suggested_questions


def _tracker(entities):
    return Tracker(
        sender_id="test-visitor",
        slots={"faq_choice_1": "an older value", "faq_choice_2": "another"},
        latest_message={"text": "need an appt asap", "intent": {"name": "nlu_fallback"}, "entities": entities},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


SUGGESTED = [
    {"entity": "faq_choice_1", "value": "I'd like to book an appointment", "extractor": "FallbackSuggestions"},
    {"entity": "faq_choice_2", "value": "I want to talk to a person", "extractor": "FallbackSuggestions"},
]


def test_suggestions_become_buttons_that_send_their_questions(dispatcher):
    asyncio.run(ActionAskRephrase().run(dispatcher, _tracker(SUGGESTED), {}))
    [message] = dispatcher.messages
    assert message["text"].startswith("Sorry, I'm not sure I understood. Did you mean one of these?")
    assert "(212) 555-0100" in message["text"]  # the clinic's phone, from clinic.yml
    assert message["buttons"] == [
        {"title": "I'd like to book an appointment", "payload": "I'd like to book an appointment"},
        {"title": "I want to talk to a person", "payload": "I want to talk to a person"},
    ]


def test_without_suggestions_for_this_message_the_plain_prompt_is_said(dispatcher):
    # The slots still hold an older clarifier's questions: they must not come back.
    asyncio.run(ActionAskRephrase().run(dispatcher, _tracker([]), {}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rephrase" and not message.get("buttons")


def test_only_the_suggestions_extractors_entities_count():
    clarifier = [{**entity, "extractor": "TopicClarifier"} for entity in SUGGESTED]
    assert suggested_questions({"entities": clarifier}) == []
    assert suggested_questions({"entities": SUGGESTED[:1]}) == []
    assert suggested_questions({"entities": list(reversed(SUGGESTED))}) == [e["value"] for e in SUGGESTED]
