"""A visitor's view: real servers, REST webhook, phrasings that are not in the training data."""

import re
import uuid
from typing import Dict, List

import pytest
import yaml

from clinic.limits import MAX_MESSAGE_CHARS
from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from clinic.texts import clinic_placeholders
from clinic.topics import FAQ_TOPICS
from tests.e2e.conftest import TEST_PHONE, TEST_PRICE

FAQ_ANSWERS: Dict[str, List[dict]] = {
    key.split("/", 1)[1]: variants
    for key, variants in yaml.safe_load((REPO_ROOT / "data/responses/faq.yml").read_text())["responses"].items()
}
TRAINING_EXAMPLES = {
    line.strip()[2:].strip().lower()
    for path in (REPO_ROOT / "data/nlu").glob("*.yml")
    for line in path.read_text().splitlines()
    if line.strip().startswith("- ")
}

# Two fresh phrasings per topic; test_phrasings_are_unseen proves they are not training data.
UNSEEN_QUESTIONS = {
    "what_is": [
        "so what exactly is this microneedling thing everyone talks about",
        "is micro needling some kind of operation or not",
    ],
    "conditions": [
        "my cheeks have old pimple scars, can microneedling do anything for those",
        "would this be any use for stretch marks on my belly",
    ],
    "how_it_works": [
        "what actually goes on in the skin when you poke it with the pen",
        "why would tiny needle pricks make my skin produce collagen",
    ],
    "preparation": [
        "I'm on topical retinoid cream, should I pause it before my appointment",
        "anything I need to get ready beforehand for the needling",
    ],
    "procedure": [
        "walk me through what happens once I'm in the treatment chair",
        "who is doing the needling, a nurse or a doctor",
    ],
    "duration": [
        "how many hours should I block in my calendar for the appointment",
        "is the session itself quick or does it take all afternoon",
    ],
    "recovery": [
        "how many days will my face look red after the needling",
        "after the treatment can I go outside in the sun",
    ],
    "results": [
        "roughly how soon until my skin looks better",
        "how many rounds of microneedling would someone like me need",
    ],
    "side_effects": [
        "what could go wrong with micro-needling in general",
        "are there any downsides or risks I should know about before deciding",
    ],
    "contraindications": [
        "I'm expecting a baby in spring, is microneedling off limits for me",
        "my psoriasis flares on my face, am I allowed to have it done",
    ],
    "cost": [
        "what would I be paying for one session",
        "do you take insurance for microneedling or is it out of pocket",
    ],
}


def _sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def _texts(messages) -> str:
    return " ".join(m.get("text", "") for m in messages)


def test_phrasings_are_unseen():
    seen = [q for qs in UNSEEN_QUESTIONS.values() for q in qs if q.lower() in TRAINING_EXAMPLES]
    assert seen == []
    assert set(UNSEEN_QUESTIONS) == set(FAQ_TOPICS)


# The model is statistical: its accuracy on new phrasings is measured by `make bench`
# (90.8% topic accuracy on bench/heldout.tsv, see README). Here every topic must be reached by at least
# one of its two unseen phrasings, at least 85% of all phrasings must land on the right
# topic (a regression floor at the measured level, not a target), and every answer given
# must be that topic's own answer.
MIN_UNSEEN_ACCURACY = 0.85


def test_each_topic_is_understood_and_answered(bot):
    misses = {}
    asked: list = []
    for topic, questions in UNSEEN_QUESTIONS.items():
        for question in questions:
            parsed = bot.parse(question)
            key = parsed.get("response_selector", {}).get("faq", {}).get("response", {}).get("intent_response_key")
            label = key if parsed["intent"]["name"] == "faq" else parsed["intent"]["name"]
            if label != f"faq/{topic}":
                misses[question] = label
                continue
            if "faq_choices" in parsed:  # a near-tie: the visitor is asked, the topic is a button
                assert f"faq/{topic}" in parsed["faq_choices"], parsed["faq_choices"]
                asked.append(question)
                continue
            messages = bot.say(_sender(), question)
            answer = _texts(messages)
            if topic == "cost":
                assert TEST_PRICE in answer and TEST_PHONE in answer
            else:
                details = clinic_placeholders(load_settings(bot.settings_file))
                assert answer in [v["text"].format_map(details) for v in FAQ_ANSWERS[topic]]
            assert any(b["payload"] == "/book_appointment" for m in messages for b in m.get("buttons", []))
    total = sum(len(qs) for qs in UNSEEN_QUESTIONS.values())
    print(f"unseen phrasings right: {total - len(misses)}/{total} ({len(asked)} asked first); misses: {misses}")
    unreached = [t for t, qs in UNSEEN_QUESTIONS.items() if all(q in misses for q in qs)]
    assert unreached == [], misses
    assert (total - len(misses)) / total >= MIN_UNSEEN_ACCURACY, misses


def test_every_faq_button_lands_on_its_topic(bot):
    """Buttons send a question as if typed; each must reach the topic it is named for."""
    payloads = {
        b["payload"]
        for variants in FAQ_ANSWERS.values()
        for v in variants
        for b in v.get("buttons", [])
        if not b["payload"].startswith("/")
    }
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
    payloads |= {
        b["payload"]
        for variants in domain["responses"].values()
        for v in variants
        for b in v.get("buttons", [])
        # "{faq_choice_1}": a topic's question from messages.yml (tests/e2e/test_topic_clarifier.py)
        if not b["payload"].startswith(("/", "{"))
    }
    wrong = {}
    for payload in sorted(payloads):
        parsed = bot.parse(payload)
        key = parsed.get("response_selector", {}).get("faq", {}).get("response", {}).get("intent_response_key")
        label = key if parsed["intent"]["name"] == "faq" else parsed["intent"]["name"]
        title_topic = _topic_of_training_example(payload)
        if label != f"faq/{title_topic}":
            wrong[payload] = (label, title_topic)
    assert wrong == {}


def _topic_of_training_example(text: str) -> str:
    data = yaml.safe_load((REPO_ROOT / "data/nlu/faq.yml").read_text())
    for block in data["nlu"]:
        examples = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
        if text in examples:
            return block["intent"].split("/", 1)[1]
    raise AssertionError(f"button payload {text!r} is not a training example in data/nlu/faq.yml")


def test_greeting_offers_quick_replies_and_names_the_clinic(bot):
    messages = bot.say(_sender(), "hello there")
    assert "Clearview Skin Clinic" in _texts(messages)
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert titles == ["What is micro-needling?", "Preparation", "Recovery", "Risks", "Book a visit"]


@pytest.mark.parametrize(
    "text, must_contain",
    [
        ("what's the weather going to be like tomorrow", "outside what I can help with"),
        ("can you write me a javascript function", "outside what I can help with"),
        ("is microneedling better than fraxel laser", "can't answer it here"),
        ("could I just use a dermaroller at home instead", TEST_PHONE),
        ("am I chatting with a real human", "virtual assistant"),
        ("thanks a bunch", "You're welcome"),
    ],
)
def test_edges_get_honest_answers(bot, text, must_contain):
    assert must_contain in _texts(bot.say(_sender(), text))


@pytest.mark.parametrize(
    "text",
    ["are you folks open on a sunday", "which street are you on exactly", "what number do i ring you on"],
)
def test_hours_address_and_phone_come_from_the_clinics_settings(bot, text):
    details = clinic_placeholders(load_settings(bot.settings_file))
    reply = _texts(bot.say(_sender(), text))
    for key in ("clinic_address", "clinic_hours", "clinic_phone"):
        assert details[key] in reply, (key, reply)
    assert "What's your name?" not in reply  # not the booking form


def test_booking_wish_starts_the_booking_form(bot):
    sender = _sender()
    assert "What's your name?" in _texts(bot.say(sender, "I'd love to get an appointment for this"))
    tracker = bot.tracker(sender)
    assert tracker["active_loop"]["name"] == "booking_form" and tracker["slots"]["requested_slot"] == "name"


def test_every_message_gets_a_reply(bot):
    for text in ("<img src=x onerror=alert(1)>", "??", "ok", "hmm"):
        assert _texts(bot.say(_sender(), text)).strip(), text


def _first_sentence(messages) -> str:
    return re.split(r"(?<=[.!?])\s", messages[0]["text"], maxsplit=1)[0]


def test_symptoms_after_treatment_get_a_call_now_path(bot):
    mild = bot.say(_sender(), "I had my microneedling on friday and now there is bruising on my jaw")
    assert TEST_PHONE in _first_sentence(mild) and "911" not in _first_sentence(mild)
    assert [b["payload"] for b in mild[0]["buttons"]] == ["/request_callback", "/request_human"]
    severe = bot.say(_sender(), "since my micro needling session I have a fever and the redness is spreading")
    assert _first_sentence(severe) == "Please call 911 now." and TEST_PHONE in _texts(severe)


def test_a_message_not_understood_still_gives_the_clinics_phone(bot):
    """An after-treatment worry the model does not understand must not leave the visitor
    without a number to call (blind set 12: a painkiller question; set 11: mascara)."""
    messages = bot.say(_sender(), "zxqv blorf")
    assert "didn't quite understand" in _texts(messages) and TEST_PHONE in _texts(messages)
    assert "911" not in _texts(messages)


@pytest.mark.parametrize(
    "report",
    [
        "101.8",  # a bare temperature as the whole first message
        "zxqv blorf my tongue feels huge and weird",  # nothing else understood
        "had it done yesterday and honestly the bleeding from my hairline is still going, a towel is soaked",
    ],
)
def test_a_red_flag_leads_with_the_emergency_number_as_a_first_message(bot, report):
    messages = bot.say(_sender(), report)
    assert _first_sentence(messages) == "Please call 911 now.", messages


@pytest.mark.parametrize(
    "report",
    [
        "had it done this morning and my lips look like i was stung by a wasp",
        "had needling today and my husband says i keep saying odd things",
    ],
)
def test_a_red_flag_in_words_the_list_lacks_is_read_by_the_severity_model(bot, report):
    from clinic.red_flags import find_red_flags

    assert find_red_flags(report) == []  # no listed phrasing: the model's reading decides
    messages = bot.say(_sender(), report)
    assert _first_sentence(messages) == "Please call 911 now.", messages


def test_a_red_flag_mid_booking_gets_the_advice_first_and_the_form_resumes(bot):
    sender = _sender()
    bot.say(sender, "I'd like to book")
    bot.say(sender, "Harriet Vance")
    messages = bot.say(sender, "hang on my lips have swollen up since this morning")
    assert _first_sentence(messages) == "Please call 911 now."
    assert "phone number" in messages[-1]["text"]  # the form asks its question again
    tracker = bot.tracker(sender)
    assert tracker["active_loop"]["name"] == "booking_form" and tracker["slots"]["requested_slot"] == "phone"
    assert tracker["slots"]["safety_flags"] == ["face_swelling"]


def test_asking_for_a_person_runs_the_handoff(bot):
    sender = _sender()
    answer = _texts(bot.say(sender, "could a real person from the clinic help me"))
    assert TEST_PHONE in answer and "Mon–Wed 09:00–18:00" in answer
    actions = [e.get("name") for e in bot.tracker(sender)["events"] if e["event"] == "action"]
    assert "action_handoff_to_human" in actions


def test_over_long_and_malformed_input_get_clear_errors(bot):
    url = f"{bot.config.rasa_url}/webhooks/rest/webhook"
    too_long = "a" * (MAX_MESSAGE_CHARS + 1)
    status, messages = bot.request("POST", url, {"sender": _sender(), "message": too_long})
    assert status == 200 and f"I can read up to {MAX_MESSAGE_CHARS}" in messages[0]["text"]
    assert bot.request("POST", url, raw=b"{not json")[0] == 400
    status, error = bot.request("POST", url, {"message": "hi"})
    assert status == 400 and "sender" in error["error"]
    # The server is still fine afterwards.
    assert bot.say(_sender(), "hi")


def test_http_api_requires_the_token(bot):
    base = bot.config.rasa_url
    assert bot.request("GET", f"{base}/conversations/someone/tracker")[0] == 401
    assert bot.request("POST", f"{base}/model/parse", {"text": "hi"})[0] == 401
    assert bot.request("GET", f"{base}/conversations/someone/tracker?token=wrong")[0] == 401


def test_action_server_refuses_calls_without_the_token(bot):
    base = bot.config.action_url
    assert bot.request("GET", f"{base}/actions")[0] == 401
    assert bot.request("POST", f"{base}/webhook", {"next_action": "action_handoff_to_human"})[0] == 401
    status, actions = bot.request("GET", f"{base}/actions?token={bot.config.action_token}")
    assert status == 200 and {"name": "action_handoff_to_human"} in actions


def test_visitor_text_never_reaches_the_logs(bot):
    marker = f"zebra{uuid.uuid4().hex[:8]} my phone is 212 555 0123 and I have eczema"
    bot.say(_sender(), marker)
    bot.say(_sender(), marker + " " * 2000)  # over-long path too
    assert marker.split()[0] not in bot.log_text()
