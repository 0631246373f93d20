"""The console's slow journey, with the real servers: a missed question labelled on the Teach page
is trained, tested and put live, and the running assistant answers it; an answer edited with a
typed phone number is refused, then saved with the placeholder and goes live the same way; one
click goes back to the previous model. Runs on a copy of the project in a temporary folder."""

import os
import uuid
from pathlib import Path

import yaml
from playwright.sync_api import expect

from clinic.paths import REPO_ROOT
from storage.staff_accounts import AccountStore
from tests.e2e.conftest import running_bot
from tests.e2e.test_staff_loop import MISSED_CANDIDATES, project_copy
from tests.e2e.test_widget_browser import ARTIFACTS, _axe_violations, browser  # noqa: F401  (fixture)
from tests.support.console import add_staff_user, running_console

PASSWORD = "correct horse battery"
NEW_DURATION = (
    "The treatment itself takes about 30 minutes, but plan to be at the clinic for at least two hours. "
    "Questions? Call {clinic_phone}."
)


def _wait_live(page, timeout_s: float = 900) -> None:
    """Follow the progress panel until the job ends; it must end live."""
    panel = page.locator("#golive")
    expect(panel).to_have_attribute("data-state", "running", timeout=10_000)
    expect(page.locator("#golive-progress")).to_be_visible()
    expect(panel).not_to_have_attribute("data-state", "running", timeout=timeout_s * 1000)
    assert panel.get_attribute("data-state") == "live", panel.inner_text()


def test_teach_and_edit_an_answer_then_go_back(tmp_path, browser):  # noqa: F811
    project = project_copy(tmp_path)
    work = tmp_path / "bot"
    work.mkdir()
    with running_bot(work) as bot:
        env = dict(
            os.environ,
            TRACKER_DB_URL=bot.config.tracker_db_url,
            CLINIC_SETTINGS=str(bot.settings_file),
            CLINIC_DB_URL=f"sqlite:///{tmp_path / 'console.db'}",
            CLINIC_MESSAGES=str(project / "messages.yml"),
            RASA_URL=bot.config.rasa_url,
            RASA_AUTH_TOKEN=bot.config.auth_token,
            RASA_CACHE_DIRECTORY=str(REPO_ROOT / ".rasa" / "cache"),  # only what changed retrains
        )
        add_staff_user(env, "maria", PASSWORD)
        for sender in ("teach-a", "teach-b"):
            for text in MISSED_CANDIDATES:
                bot.say(f"{sender}-{uuid.uuid4().hex[:6]}", text)
        console_args = [f"--root={project}", f"--state-dir={tmp_path / 'state'}"]
        with running_console(env, tmp_path / "console.log", console_args) as url:
            _journey(bot, browser, url, project, env)


def _journey(bot, browser, url: str, project: Path, env) -> None:  # noqa: F811
    """Teach, edit an answer, go back: in the browser, against the running servers."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(url + "/login")
        page.get_by_label("Name").fill("maria")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        # 1. Teach: the missed question is listed with its count; pick the topic from the list.
        page.get_by_role("link", name="Teach").click()
        listed = [c for c in MISSED_CANDIDATES if page.get_by_text(f"“{c}”").count()]
        assert listed, page.inner_text("main")
        chosen = listed[0]
        question = page.locator("li.question", has_text=chosen)
        expect(question).to_contain_text("asked 2 times")
        assert _axe_violations(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "console-teach-desktop.png"), full_page=True)
        question.get_by_label("Another topic").select_option(label="What micro-needling is")
        page.get_by_role("button", name="Teach the assistant").click()
        expect(page.get_by_role("status").first).to_contain_text("The assistant is learning now")
        page.screenshot(path=str(ARTIFACTS / "console-teach-training-desktop.png"), full_page=True)
        _wait_live(page)
        parsed = bot.parse(chosen)
        assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/what_is"
        expect(page.get_by_text(f"“{chosen}”")).to_have_count(0)  # taught: off the list
        assert f"    - {chosen}\n" in (project / "data/nlu/faq.yml").read_text()

        # 2. Answers: a typed phone number is refused with the reason; the placeholder is saved.
        page.get_by_role("link", name="Answers").click()
        page.get_by_role("link", name="How long it takes").click()
        box = page.get_by_label("The text")
        box.fill(NEW_DURATION.replace("{clinic_phone}", "(212) 555-0100"))
        page.get_by_role("button", name="Save and put live").click()
        expect(page.get_by_role("alert")).to_contain_text("A phone number is typed into this answer")
        assert "555-0100" not in (project / "data/responses/faq.yml").read_text()
        box.fill(NEW_DURATION.replace(" {clinic_phone}.", " "))
        page.get_by_role("button", name="{clinic_phone}").click()  # the chip inserts at the cursor
        box.press("End")
        box.type(".")
        page.get_by_role("button", name="Check and preview").click()
        expect(page.locator(".bubble-preview")).to_contain_text("Questions? Call (212) 555-0")
        assert _axe_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / "console-answer-desktop.png"), full_page=True)
        page.get_by_role("button", name="Save and put live").click()
        expect(page.get_by_role("status").first).to_contain_text("Saved")
        _wait_live(page)
        replies = bot.say(f"after-{uuid.uuid4().hex[:6]}", "how long does the treatment take?")
        texts = " ".join(r.get("text", "") for r in replies)
        assert "plan to be at the clinic for at least two hours. Questions? Call" in texts, replies
        saved = yaml.safe_load((project / "data/responses/faq.yml").read_text())
        assert saved["responses"]["utter_faq/duration"][0]["text"] == NEW_DURATION

        # 3. One click back to the model before the edit.
        page.get_by_role("button", name="Go back to the previous model").click()
        expect(page.get_by_role("status").first).to_contain_text("previous model again")
        replies = bot.say(f"back-{uuid.uuid4().hex[:6]}", "how long does the treatment take?")
        assert "Questions? Call" not in " ".join(r.get("text", "") for r in replies)
        actions = [e.action for e in AccountStore(env["CLINIC_DB_URL"]).audit()]
        assert actions.count("model put live") == 3 and "question labelled" in actions and "answer edited" in actions
    finally:
        context.close()
