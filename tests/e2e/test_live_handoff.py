"""Live hand-off with the real servers: a visitor asks for a person, a staff member takes over
in the console, they chat in the same conversation, a red flag still gets the emergency advice
at once and is flagged, the assistant answers again after Hand back; with nobody available the
visitor gets the phone. (The widget's side is in the browser test below.)"""

import os
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from playwright.sync_api import expect

from storage.handoffs import HandoffStore
from storage.staff_accounts import AccountStore
from tests.e2e.conftest import running_bot
from tests.e2e.test_widget_browser import browser  # noqa: F401  (fixture)
from tests.support.console import add_staff_user, csrf_token, running_console, signed_in

PASSWORD = "correct horse battery"


class Live:
    def __init__(self, bot, console_url: str, tmp: Path) -> None:
        self.bot, self.console_url, self.tmp = bot, console_url, tmp

    def updates(self, sender: str, since: float = 0.0) -> dict:
        reply = requests.get(
            f"{self.bot.config.rasa_url}/webhooks/rest/updates", params={"sender": sender, "since": since}, timeout=10
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def staff(self, name: str) -> requests.Session:
        session = signed_in(self.console_url, name, PASSWORD)
        session.csrf = csrf_token(session.get(self.console_url + "/live", timeout=10).text)  # type: ignore[attr-defined]
        return session


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    work = tmp / "bot"
    work.mkdir()
    with running_bot(work) as bot:
        settings = yaml.safe_load(bot.settings_file.read_text())
        settings["opening_hours"] = {day: "00:00-24:00" for day in settings["opening_hours"]}  # always open
        bot.settings_file.write_text(yaml.safe_dump(settings))
        env = dict(
            os.environ,
            CLINIC_DB_URL=bot.db_url,  # the queue is shared by the action server and the console
            TRACKER_DB_URL=bot.config.tracker_db_url,
            CLINIC_SETTINGS=str(bot.settings_file),
            RASA_URL=bot.config.rasa_url,
            RASA_AUTH_TOKEN=bot.config.auth_token,
        )
        for name in ("maria", "omar"):
            add_staff_user(env, name, PASSWORD)
        with running_console(env, tmp / "console.log", [f"--state-dir={tmp / 'state'}"]) as url:
            yield Live(bot, url, tmp)


def _texts(replies) -> str:
    return " ".join(r.get("text", "") for r in replies)


def _visitor_asks_for_a_person(context, site: str):
    """A visitor opens the widget and asks for a person; the widget says one will join."""
    visitor = context.new_page()
    visitor.goto(site)
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_label("Your message").fill("can I talk to a real person please")
    visitor.keyboard.press("Enter")
    expect(visitor.locator(".cw-bot").last).to_contain_text("will join this chat")
    return visitor


def test_a_person_takes_over_chats_sees_red_flags_and_hands_back(live):
    bot, visitor = live.bot, f"web-{uuid.uuid4().hex[:12]}"
    maria, omar = live.staff("maria"), live.staff("omar")
    maria.post(live.console_url + "/live/availability", data={"csrf_token": maria.csrf, "available": "1"}, timeout=10)

    asked = bot.say(visitor, "can I talk to a real person please")
    assert "will join this chat in a moment" in _texts(asked), asked
    assert {"handoff": "waiting"} in [r.get("custom") for r in asked]
    assert live.updates(visitor)["mode"] == "waiting"
    assert "minimally invasive" in _texts(bot.say(visitor, "what is micro-needling?"))  # answered while waiting
    [waiting] = HandoffStore(bot.db_url).waiting()
    assert waiting.sender_id == visitor
    assert maria.get(live.console_url + "/api/live", timeout=10).json()["waiting"] == 1

    took = maria.post(
        f"{live.console_url}/live/{waiting.id}/take", data={"csrf_token": maria.csrf}, allow_redirects=False, timeout=10
    )
    assert took.status_code == 303
    second = omar.post(
        f"{live.console_url}/live/{waiting.id}/take",
        data={"csrf_token": omar.csrf},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert second.status_code == 409 and second.json()["error"] == "Already taken by Maria."
    news = live.updates(visitor)
    assert news["mode"] == "staff" and news["messages"][0]["kind"] == "joined"
    assert news["messages"][0]["text"].startswith("Maria from Clearview Skin Clinic has joined")

    sent = maria.post(
        f"{live.console_url}/live/{waiting.id}/reply",
        data={"csrf_token": maria.csrf, "text": "Hi, I'm Maria. Call us on {clinic_phone} any time."},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert sent.status_code == 200
    news = live.updates(visitor, news["cursor"])
    [line] = news["messages"]
    assert (line["kind"], line["staff"]) == ("staff", "Maria") and "(212) 555-0199" in line["text"]

    assert bot.say(visitor, "how much is it for the full face?") == []  # a person has it: the assistant is quiet
    lines = maria.get(f"{live.console_url}/api/live/{waiting.id}", timeout=10).json()["lines"]
    assert lines[-1]["who"] == "visitor" and lines[-1]["text"] == "how much is it for the full face?"
    assert any(line["who"] == "staff" and line["staff"] == "Maria" for line in lines)

    urgent = bot.say(visitor, "my lips are swelling up badly since the session")
    assert _texts(urgent).startswith("Please call 911 now."), urgent  # safety does not wait for a person
    status = maria.get(f"{live.console_url}/api/live/{waiting.id}", timeout=10).json()
    assert status["red_flag"] and "Please call 911 now." in status["lines"][-1]["text"]
    assert "Red flag" in maria.get(f"{live.console_url}/live/{waiting.id}", timeout=10).text

    back = maria.post(
        f"{live.console_url}/live/{waiting.id}/hand-back",
        data={"csrf_token": maria.csrf},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303
    news = live.updates(visitor, news["cursor"])
    assert news["mode"] == "bot" and news["messages"][-1]["kind"] == "handed_back"
    answer = _texts(bot.say(visitor, "what is micro-needling?"))
    assert "minimally invasive" in answer  # the assistant answers again
    ended = HandoffStore(bot.db_url).get(waiting.id)
    assert ended.outcome == "handed_back" and ended.red_flag and ended.taken_by == "maria"
    actions = [e.action for e in AccountStore(bot.db_url).audit()]
    assert "conversation taken over" in actions and "conversation handed back" in actions
    transcript = maria.get(f"{live.console_url}/conversations/{visitor}", timeout=10).text
    assert "Maria (staff)" in transcript


def test_nobody_available_gives_the_phone_and_the_callback(live):
    bot, visitor = live.bot, f"web-{uuid.uuid4().hex[:12]}"
    for name in ("maria", "omar"):  # signing in makes staff available; both stop taking chats
        staff = live.staff(name)
        assert HandoffStore(bot.db_url).is_available(name)
        staff.post(
            live.console_url + "/live/availability", data={"csrf_token": staff.csrf, "available": "0"}, timeout=10
        )
    replies = bot.say(visitor, "can I talk to a real person please")
    assert "we're open now until" in _texts(replies) and "(212) 555-0199" in _texts(replies)
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == ["/request_callback"]
    assert live.updates(visitor)["mode"] == "bot"


def test_updates_reveal_nothing_without_a_proper_sender(live):
    base = f"{live.bot.config.rasa_url}/webhooks/rest/updates"
    assert requests.get(base, timeout=10).status_code == 400
    assert requests.get(base, params={"sender": "../../etc"}, timeout=10).status_code == 400
    unknown = requests.get(base, params={"sender": "web-nobody", "since": "x"}, timeout=10).json()
    assert unknown == {"mode": "bot", "messages": [], "cursor": unknown["cursor"]}


def test_visitor_and_staff_in_two_browsers(live, browser):  # noqa: F811

    from tests.e2e.test_widget_browser import ARTIFACTS, _axe_violations, _page_url

    site_server = _page_url(live.bot)
    site = next(site_server)
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    visitor_context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        staff = staff_context.new_page()
        staff.goto(live.console_url + "/login")
        staff.get_by_label("Name").fill("omar")
        staff.get_by_label("Password").fill(PASSWORD)
        staff.get_by_role("button", name="Sign in").click()
        staff.get_by_role("link", name="Live").click()
        expect(staff.get_by_text("You are available", exact=True)).to_be_visible()  # signed in: available

        visitor = _visitor_asks_for_a_person(visitor_context, site)

        expect(staff.locator("#live-count")).to_have_text("1 waiting", timeout=10_000)  # without reloading
        staff.reload()
        assert _axe_violations(staff) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        staff.screenshot(path=str(ARTIFACTS / "console-live-desktop.png"), full_page=True)
        staff.get_by_role("button", name="Take over").first.click()
        expect(staff.get_by_role("heading", name="You are chatting with this visitor")).to_be_visible()
        expect(visitor.locator(".cw-note").last).to_contain_text("Omar from Clearview Skin Clinic has joined")

        staff.get_by_label("Your message").fill("Hello, I'm Omar from the clinic. How can I help?")
        staff.get_by_role("button", name="Send").click()
        expect(visitor.locator(".cw-staff").last).to_contain_text("How can I help?")
        expect(visitor.locator(".cw-staff .cw-name").last).to_have_text("Omar")
        visitor.get_by_label("Your message").fill("is it painful?")
        visitor.keyboard.press("Enter")
        expect(staff.locator("#live-lines .visitor").last).to_contain_text("is it painful?")

        visitor.reload()  # the thread survives a reload and keeps arriving
        visitor.get_by_label("Your message").wait_for()
        staff.get_by_label("Your message").fill("A little; we use a numbing cream first.")
        staff.get_by_role("button", name="Send").click()
        expect(visitor.locator(".cw-staff").last).to_contain_text("numbing cream")
        expect(visitor.get_by_text("is it painful?")).to_be_visible()

        visitor.get_by_label("Your message").fill("my lips are swelling up badly since the session")
        visitor.keyboard.press("Enter")
        expect(visitor.locator(".cw-bot").last).to_contain_text("Please call 911 now.")
        expect(staff.locator("#live-lines").get_by_text("Please call 911 now.", exact=False)).to_be_visible()
        staff.reload()
        expect(staff.get_by_role("alert")).to_contain_text("Red flag")
        assert _axe_violations(staff) == []
        staff.screenshot(path=str(ARTIFACTS / "console-live-conversation-desktop.png"), full_page=True)
        visitor.screenshot(path=str(ARTIFACTS / "widget-live-375.png"))

        staff.get_by_role("button", name="Hand back").click()
        expect(visitor.locator(".cw-note").last).to_contain_text("back with the virtual assistant")
        visitor.get_by_label("Your message").fill("what is micro-needling?")
        visitor.keyboard.press("Enter")
        expect(visitor.locator(".cw-bot").last).to_contain_text("minimally invasive")

        # Nobody available: the phone and the call-back form.
        staff.get_by_role("link", name="Live").click()
        staff.get_by_role("button", name="Stop taking chats").click()
        visitor.get_by_label("Your message").fill("I'd like to speak to someone")
        visitor.keyboard.press("Enter")
        expect(visitor.locator(".cw-bot").last).to_contain_text("we're open now until")
        visitor.get_by_role("button", name="Please call me back").last.click()
        expect(visitor.locator(".cw-bot").last).to_contain_text("name")
    finally:
        staff_context.close()
        visitor_context.close()
        next(site_server, None)


def test_a_long_wait_offers_a_call_back_in_the_widget(live, browser):  # noqa: F811
    from sqlalchemy import update

    from storage.handoffs import handoffs
    from tests.e2e.test_widget_browser import _page_url

    site_server = _page_url(live.bot)
    site = next(site_server)
    maria = live.staff("maria")  # signed in: available
    maria.post(live.console_url + "/live/availability", data={"csrf_token": maria.csrf, "available": "1"}, timeout=10)
    visitor_context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        visitor = _visitor_asks_for_a_person(visitor_context, site)
        store = HandoffStore(live.bot.db_url)
        waiting = max(store.waiting(), key=lambda h: h.requested_at)  # this visitor's, the newest
        with store.engine.begin() as connection:  # as if the visitor had waited four minutes
            connection.execute(
                update(handoffs).where(handoffs.c.id == waiting.id).values(requested_at=waiting.requested_at - 240)
            )
        offer = visitor.get_by_role("button", name="Call me back instead")
        expect(offer).to_be_visible(timeout=10_000)
        expect(visitor.locator(".cw-bot").last).to_contain_text("If you'd rather not wait")
        offer.click()
        expect(visitor.locator(".cw-bot").last).to_contain_text("name")  # the call-back form asks
        assert store.get(waiting.id).outcome == "callback"  # they left the queue by choice
    finally:
        visitor_context.close()
        next(site_server, None)
