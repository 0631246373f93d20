import pytest

from clinic.messages import MessageError, load_messages, render
from clinic.settings import load_settings

def test_every_message_renders_with_the_values_its_comment_promises():
    settings = load_settings()
    values = {"closes": "18:00", "reason": "Why.", "example": "(201) 555-0123", "name": "Jane",
              "day": "Tuesday 1 December", "phone": "+12125550123", "when": "Tuesday 1 December at 14:00",
              "screening_summary": "none applies", "reference": "MN-ABC234"}
    for name in load_messages():
        message = render(name, settings, **values)
        assert "{" not in message.text, name


def test_no_message_hard_codes_contact_details():
    for name, message in load_messages().items():
        assert "555" not in message.text and "911" not in message.text, name
        assert "clearview" not in message.text.lower() and "http" not in message.text, name


def test_a_missing_value_is_named():
    with pytest.raises(MessageError, match="handoff_open' needs closes"):
        render("handoff_open", load_settings())


def test_malformed_file_is_refused(tmp_path):
    path = tmp_path / "messages.yml"
    path.write_text("greeting:\n  buttons: []\n")
    with pytest.raises(MessageError, match="'greeting' needs a text"):
        load_messages(path)
