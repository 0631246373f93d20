import pytest

from channels.payload import PayloadError, TooLong, WebhookMessage, check_payload


def test_well_formed_message_passes():
    checked = check_payload({"sender": "web-abc123", "message": "hi", "metadata": {"page": "/"}}, 100)
    assert checked == WebhookMessage("web-abc123", "hi", {"page": "/"})


@pytest.mark.parametrize(
    "body, fragment",
    [
        (None, "JSON object"),
        (["hi"], "JSON object"),
        ({"message": "hi"}, "'sender'"),
        ({"sender": "", "message": "hi"}, "'sender'"),
        ({"sender": "a b", "message": "hi"}, "'sender'"),
        ({"sender": "x" * 129, "message": "hi"}, "'sender'"),
        ({"sender": "me"}, "'message' must be a string"),
        ({"sender": "me", "message": 42}, "'message' must be a string"),
        ({"sender": "me", "message": "   "}, "'message' is empty"),
        ({"sender": "me", "message": "hi", "metadata": "x"}, "'metadata'"),
        ({"sender": "me", "message": "hi", "message_id": "short"}, "'message_id'"),
        ({"sender": "me", "message": "hi", "message_id": "a b c d e f g h"}, "'message_id'"),
        ({"sender": "me", "message": "hi", "message_id": 12345678}, "'message_id'"),
        ({"sender": "me", "message": "hi", "message_id": "abcdef0123", "retry": "yes"}, "'retry'"),
        ({"sender": "me", "message": "hi", "retry": True}, "needs the 'message_id'"),
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(body, fragment):
    checked = check_payload(body, 100)
    assert isinstance(checked, PayloadError)
    assert fragment in checked.error


def test_over_long_message_is_flagged_not_refused():
    checked = check_payload({"sender": "me", "message": "a" * 101}, 100)
    assert checked == TooLong(sender="me", length=101, limit=100)


def test_message_at_the_limit_passes():
    assert isinstance(check_payload({"sender": "me", "message": "a" * 100}, 100), WebhookMessage)


def test_a_retry_carries_its_message_id():
    checked = check_payload({"sender": "me", "message": "hi", "message_id": "abcdef0123", "retry": True}, 100)
    assert checked == WebhookMessage("me", "hi", None, message_id="abcdef0123", retry=True)


def test_only_a_well_formed_command_for_a_known_intent_stays_a_command():
    from channels.payload import plain_text_unless_command

    intents = {"affirm", "faq", "request_callback"}
    assert plain_text_unless_command("/affirm", intents) == "/affirm"
    assert plain_text_unless_command(' /faq{"topic": "risks"} ', intents) == '/faq{"topic": "risks"}'
    assert plain_text_unless_command("/greet{secret text", intents) == "greet{secret text"
    assert plain_text_unless_command("/nope", intents) == "nope"
    assert plain_text_unless_command("/affirm@0.1 more words", intents) == "affirm@0.1 more words"
    assert plain_text_unless_command('/faq{"topic": {"deep": 1}}', intents) == 'faq{"topic": {"deep": 1}}'
    assert plain_text_unless_command("//", intents) == ""
    assert plain_text_unless_command("what is it / how long", intents) == "what is it / how long"
