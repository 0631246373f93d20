"""messages.yml: every message renders, placeholders are checked, edits are picked up."""

import os

import pytest

from clinic.settings import load_settings
from clinic.texts import (
    CLINIC_PLACEHOLDERS,
    MessageError,
    clinic_placeholders,
    load_messages,
    parse_messages,
    render,
)


def test_every_message_renders_with_the_values_it_declares():
    settings = load_settings()
    for name, template in load_messages().items():
        message = render(name, settings, **{value: "x" for value in template.values})
        assert "{" not in message.text, name


def test_no_message_hard_codes_contact_details():
    for name, message in load_messages().items():
        assert "555" not in message.text and "911" not in message.text, name
        assert "clearview" not in message.text.lower() and "http" not in message.text, name


def test_a_missing_value_is_named():
    with pytest.raises(MessageError, match="handoff_open' needs closes"):
        render("handoff_open", load_settings())


def test_every_clinic_placeholder_is_filled_in_any_message(tmp_path):
    # Staff were once told to write {clinic_prices} or {clinic_address} in messages.yml,
    # which then failed at run time: every clinic placeholder must work in every message.
    path = tmp_path / "messages.yml"
    text = " ".join(f"{{{name}}}" for name in CLINIC_PLACEHOLDERS)
    path.write_text(f'all_details:\n  text: "{text}"\nprices_not_listed:\n  text: "ask us on {{clinic_phone}}"\n')
    messages = load_messages(path)
    settings = load_settings()
    rendered = render("all_details", settings, messages).text
    assert settings.address in rendered and settings.phone in rendered
    assert "ask us on (212) 555-0100" in rendered  # no prices listed: the staff's own words


def test_clinic_placeholders_list_prices_when_there_are_some():
    from dataclasses import replace

    from clinic.settings import PriceItem

    settings = replace(load_settings(), prices=[PriceItem("Full face", "$300")])
    assert clinic_placeholders(settings)["clinic_prices"] == "Full face: $300"
    assert set(clinic_placeholders(load_settings())) == set(CLINIC_PLACEHOLDERS)


def test_malformed_file_is_refused_with_its_line(tmp_path):
    with pytest.raises(MessageError, match=r"messages.yml:3: message 'greeting' needs a text"):
        parse_messages("prices_not_listed:\n  text: x\ngreeting:\n  buttons: []\n", tmp_path / "messages.yml")


def test_edits_are_picked_up_without_a_restart_and_bad_edits_keep_the_last_good(tmp_path):
    path = tmp_path / "messages.yml"
    path.write_text('hello:\n  text: "one"\nprices_not_listed:\n  text: "ask"\n')
    assert load_messages(path)["hello"].text == "one"
    path.write_text('hello:\n  text: "two"\nprices_not_listed:\n  text: "ask"\n')
    os.utime(path, ns=(1, 10**18))
    assert load_messages(path)["hello"].text == "two"
    path.write_text("hello: [broken\n")
    os.utime(path, ns=(1, 2 * 10**18))
    assert load_messages(path)["hello"].text == "two"
