"""The chat widget in a real headless Chromium (Debian's), against the running servers."""

import json
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from clinic.texts import clinic_placeholders
from ops.web import start_web_server
from tests.e2e.conftest import TEST_PHONE

ARTIFACTS = REPO_ROOT / "tests" / "e2e" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure_test_deps.sh installs Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def _page_url(running_bot) -> Iterator[str]:
    """The chat page on the port its servers allow (CORS): a page elsewhere could not chat."""
    server = start_web_server(
        running_bot.config.page_port, running_bot.config.rasa_url, lambda: load_settings(running_bot.settings_file)
    )
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def site(bot) -> Iterator[str]:
    yield from _page_url(bot)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    yield page
    context.close()


def _open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Open chat").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_focused()


def _ask(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.keyboard.press("Enter")


def _last_bot_text(page: Page) -> str:
    return page.locator(".cw-bot").last.inner_text()


def test_greeting_quick_reply_and_typed_question(page, site):
    _open_widget(page, site)
    for title in ("What is micro-needling?", "Preparation", "Recovery", "Risks", "Book a visit"):
        expect(page.locator(".cw-buttons button", has_text=title).first).to_be_visible()
    page.locator(".cw-buttons button", has_text="Recovery").first.click()
    expect(page.locator(".cw-bot").last).to_contain_text("sunscreen")
    _ask(page, "who actually does the treatment, a doctor?")
    expect(page.locator(".cw-bot").last).to_contain_text("nurse practitioner")
    # The phone number in an answer is a tel: link.
    _ask(page, "how much is it")
    expect(page.locator(".cw-bot a[href^='tel:']").last).to_have_text(TEST_PHONE)


def test_history_survives_a_reload_and_start_over_clears_it(page, site):
    _open_widget(page, site)
    _ask(page, "what is the downtime like")
    expect(page.locator(".cw-bot").last).to_contain_text("sunscreen")
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # stays open
    expect(page.locator(".cw-user", has_text="what is the downtime like")).to_be_visible()
    page.get_by_role("button", name="Start over").click()
    expect(page.locator(".cw-user")).to_have_count(0)


def test_markup_typed_by_a_visitor_is_shown_as_text(page, site):
    _open_widget(page, site)
    attack = "<img src=x onerror=alert(1)>"
    _ask(page, attack)
    expect(page.locator(".cw-user").last).to_have_text(attack)
    assert page.locator(".cw-log img").count() == 0
    expect(page.locator(".cw-bot").nth(1)).to_be_visible()  # the bot still answered


def test_full_booking_by_typing_and_clicking(page, site, bot):
    _open_widget(page, site)
    page.locator(".cw-buttons button", has_text="Book a visit").first.click()
    expect(page.locator(".cw-bot").last).to_contain_text("What's your name?")
    _ask(page, "Petra Novak")
    expect(page.locator(".cw-bot").last).to_contain_text("phone number")
    _ask(page, "(212) 555 0123")
    expect(page.locator(".cw-bot").last).to_contain_text("When would you like")
    _ask(page, "next tuesday afternoon")
    expect(page.locator(".cw-bot").last).to_contain_text("pregnant")
    page.locator(".cw-buttons button", has_text="No, none apply").last.click()
    expect(page.locator(".cw-bot").last).to_contain_text("Please check your request")
    page.locator(".cw-buttons button", has_text="Confirm").last.click()
    expect(page.locator(".cw-bot").last).to_contain_text("reference is MN-")
    _screenshots(page, "widget")


def test_layout_at_375px(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _open_widget(page, site)
    page.locator(".cw-buttons button", has_text="What is micro-needling?").first.click()
    expect(page.locator(".cw-bot").last).to_contain_text("collagen")
    box = page.locator(".cw-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-375.png"))
    context.close()


def test_unreachable_server_shows_the_clinic_phone(browser, disposable_bot):
    url_iter = _page_url(disposable_bot)
    url = next(url_iter)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    _open_widget(page, url)
    disposable_bot.servers.stop()  # the Rasa server goes away mid-conversation
    _ask(page, "hello?")
    expect(page.locator(".cw-error").last).to_contain_text("I can't reach the clinic's assistant right now")
    expect(page.locator(".cw-error a[href^='tel:']").last).to_have_text(TEST_PHONE)
    context.close()
    url_iter.close()


def _webhook_bodies(page: Page, first_reply: str) -> list:
    """Intercept the webhook: the first POST gets `first_reply` ("refused": a 503 before any
    server saw it; "lost": the server handled it but its answer never came back, a 502);
    every later one goes through. Returns the list the request bodies are added to."""
    bodies: list = []

    def handle(route) -> None:
        bodies.append(route.request.post_data_json)
        if len(bodies) > 1:
            route.continue_()
        elif first_reply == "refused":
            route.fulfill(status=503, content_type="application/json", body="[]")
        else:
            route.fetch()  # the server answers and keeps the turn ...
            route.fulfill(status=502, body="bad gateway")  # ... but the answer is lost

    page.route("**/webhooks/rest/webhook", handle)
    return bodies


@pytest.mark.parametrize("first_reply", ["refused", "lost"])
def test_a_message_without_an_answer_is_retried_once_and_answered_once(page, site, bot, first_reply):
    _open_widget(page, site)
    bodies = _webhook_bodies(page, first_reply)
    _ask(page, "how long does the treatment take")
    expect(page.locator(".cw-bot").last).to_contain_text("minutes")
    assert page.locator(".cw-error").count() == 0
    assert len(bodies) == 2, bodies
    first, again = bodies
    assert first["message_id"] == again["message_id"] and len(first["message_id"]) >= 16
    assert "retry" not in first and again["retry"] is True
    sender = first["sender"]
    user_turns = [
        e for e in bot.tracker(sender)["events"] if e["event"] == "user" and e.get("message_id") == first["message_id"]
    ]
    assert len(user_turns) == 1, f"the question is in the conversation {len(user_turns)} times"
    answers = page.locator(".cw-bot", has_text="minutes")
    expect(answers).to_have_count(1)


def test_too_fast_gets_the_servers_chat_reply_shown_not_an_error(page, site):
    """The webhook's 429 carries a chat-shaped reply (tests/e2e/test_hostile_input.py checks the
    server's side); the widget shows it like any answer."""
    _open_widget(page, site)
    text = "You're sending messages very fast, so I've paused for a moment. Please wait 42 seconds."
    page.route(
        "**/webhooks/rest/webhook",
        lambda route: route.fulfill(
            status=429, content_type="application/json", body=json.dumps([{"recipient_id": "x", "text": text}])
        ),
    )
    _ask(page, "hello again")
    expect(page.locator(".cw-bot").last).to_have_text(text)
    assert page.locator(".cw-error").count() == 0


def test_the_page_refuses_inline_script(page, site):
    """The demo page's Content-Security-Policy holds in the browser, and the widget works under it."""
    _open_widget(page, site)
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected") is None
    _ask(page, "what is micro-needling")
    expect(page.locator(".cw-bot").last).to_contain_text("collagen")


@pytest.mark.parametrize("width, height", [(1280, 860), (375, 740)])
def test_an_unclear_question_offers_two_topics_and_a_click_answers(browser, site, width, height):
    """Ask instead of guess (components/topic_clarifier.py), as a visitor sees it."""
    context, page = _greeted_at(browser, site, width, height)
    _ask(page, "tell me about recovery and side effects")
    expect(page.locator(".cw-bot").last).to_contain_text("Which of these did you mean?")
    choices = page.locator(".cw-buttons").last.locator("button")
    expect(choices).to_have_text(["What is the recovery like?", "What are the side effects?"])
    assert _axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-clarify-{width}.png"))
    choices.nth(1).click()
    expect(page.locator(".cw-bot").last).to_contain_text("most common")
    context.close()


@pytest.mark.parametrize("width, height", [(1280, 860), (375, 740)])
def test_the_clinics_hours_address_and_phone_as_a_visitor_sees_them(browser, site, bot, width, height):
    """A visitor asking "are you open on Sunday?" gets the clinic's details from its settings, with buttons."""
    context, page = _greeted_at(browser, site, width, height)
    _ask(page, "r u open on sundays at all")
    details = clinic_placeholders(load_settings(bot.settings_file))
    expect(page.locator(".cw-bot").last).to_contain_text(details["clinic_address"])
    expect(page.locator(".cw-bot").last).to_contain_text(details["clinic_phone"])
    expect(page.locator(".cw-buttons").last.locator("button")).to_have_text(["Book a visit", "Talk to a person"])
    assert _axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-clinic-details-{width}.png"))
    context.close()


@pytest.mark.parametrize("width, height", [(1280, 860), (375, 740)])
def test_a_message_not_understood_offers_the_likely_questions_and_a_click_books(browser, site, width, height):
    """The not-understood reply's suggestions (components/fallback_suggestions.py), as a visitor sees it."""
    context, page = _greeted_at(browser, site, width, height)
    _ask(page, "need appt")
    expect(page.locator(".cw-bot").last).to_contain_text("Did you mean one of these?")
    choices = page.locator(".cw-buttons").last.locator("button")
    expect(choices.first).to_have_text("I'd like to book an appointment")
    expect(choices).to_have_count(2)
    assert _axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-suggest-{width}.png"))
    choices.first.click()
    expect(page.locator(".cw-bot").last).to_contain_text("What's your name?")
    context.close()


def _greeted_at(browser, site, width: int, height: int):
    """A new browser context at this viewport with the widget open and its greeting shown."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open_widget(page, site)
    expect(page.locator(".cw-buttons button").first).to_be_visible()  # the greeting has arrived
    return context, page


def _screenshots(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"))


AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_violations(page: Page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: scripts/ensure_test_deps.sh installs it (npm ci)", pytrace=False)
    # Evaluated through the browser's debugging protocol: the page's Content-Security-Policy
    # (no inline script) would refuse it as a <script> tag, and stays on for the check.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("width, height", [(1280, 860), (768, 1024), (375, 740)])
def test_the_open_widget_passes_axe_wcag_21_aa(browser, site, width, height):
    context, page = _greeted_at(browser, site, width, height)
    _ask(page, "how long does it take")
    expect(page.locator(".cw-bot")).to_have_count(2)
    assert _axe_violations(page) == []
    context.close()


def test_the_closed_widget_on_the_page_passes_axe_wcag_21_aa(page, site):
    page.goto(site)
    expect(page.get_by_role("button", name="Open chat")).to_be_visible()
    assert _axe_violations(page) == []
