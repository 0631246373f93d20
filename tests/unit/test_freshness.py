"""A staff edit to clinic.yml or messages.yml reaches every place that shows it, no restart."""

import os
import urllib.request
from pathlib import Path

import pytest
import yaml

from channels.guarded_rest import GuardedRestInput
from channels.payload import TooLong
from clinic.paths import MESSAGES_PATH, REPO_ROOT
from clinic.settings import forget_current_settings
from ops.servers import free_port
from ops.web import start_web_server

NEW_PHONE = "(212) 555-0142"


@pytest.fixture
def settings_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text((REPO_ROOT / "clinic.yml").read_text())
    monkeypatch.setenv("CLINIC_SETTINGS", str(path))
    forget_current_settings()
    yield path
    forget_current_settings()


def _save(path: Path, change: dict, stamp: int) -> None:
    raw = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**raw, **change}))
    os.utime(path, ns=(stamp, stamp))  # a new modification time, as an editor's save gives


def test_the_rest_channels_failure_reply_has_todays_phone(settings_file):
    channel = GuardedRestInput()
    assert "(212) 555-0100" in channel._failure_reply("v")[0]["text"]
    _save(settings_file, {"phone": NEW_PHONE}, 10**18)
    assert NEW_PHONE in channel._failure_reply("v")[0]["text"]
    # A broken edit keeps the last good phone; the reply never fails.
    _save(settings_file, {"phone": "not a phone"}, 2 * 10**18)
    assert NEW_PHONE in channel._failure_reply("v")[0]["text"]


def test_the_rest_channels_replies_follow_messages_yml(settings_file, tmp_path, monkeypatch):
    messages = tmp_path / "messages.yml"
    messages.write_text(MESSAGES_PATH.read_text())
    monkeypatch.setenv("CLINIC_MESSAGES", str(messages))
    channel = GuardedRestInput()
    too_long = TooLong(sender="v", length=1200, limit=1000)
    assert "I can read up to 1000" in channel._too_long_reply(too_long)[0]["text"]
    text = messages.read_text().replace("I can read up to {limit}.", "My limit is {limit} characters.")
    messages.write_text(text)
    os.utime(messages, ns=(10**18, 10**18))
    assert "My limit is 1000 characters." in channel._too_long_reply(too_long)[0]["text"]


def test_the_demo_page_shows_todays_details(settings_file):
    server = start_web_server(free_port(), "http://127.0.0.1:5005")
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        assert "(212) 555-0100" in urllib.request.urlopen(url, timeout=10).read().decode()
        _save(settings_file, {"phone": NEW_PHONE}, 10**18)
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert NEW_PHONE in page and 'data-max-message-chars="1000"' in page
    finally:
        server.shutdown()


def test_a_saved_red_flag_list_is_used_at_once_and_a_broken_one_keeps_the_last(tmp_path, caplog):
    from clinic.red_flags import default_signs, find_red_flags

    path = tmp_path / "red_flags.yml"
    path.write_text((REPO_ROOT / "red_flags.yml").read_text())
    report = "my nose keeps bleeding since the microneedling"
    before = len(default_signs(path))
    document = yaml.safe_load(path.read_text())
    document["signs"]["nosebleed"] = {"sign": "Nosebleed", "why": "A test sign.", "phrasings": ["nose keeps bleeding"]}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    os.utime(path, ns=(1, 2_000_000_000))  # a new stamp even within the clock's resolution
    assert len(default_signs(path)) == before + 1
    assert "nosebleed" in [flag.key for flag in find_red_flags(report, default_signs(path))]
    path.write_text("nosebleed: [broken")
    os.utime(path, ns=(1, 3_000_000_000))
    assert len(default_signs(path)) == before + 1  # the last good list stays in use
    assert "red flags not reloaded" in caplog.text
