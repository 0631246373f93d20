"""The staff console as staff use it: the run contract's sign-in checks, CSRF and sessions
over HTTP, and the booking requests page in Debian's Chromium (with axe-core's checks)."""

import asyncio
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.paths import REPO_ROOT
from storage.bookings import KIND_BOOKING, KIND_CALLBACK, BookingStore, NewRequest
from storage.staff_accounts import AccountStore
from tests.e2e.test_widget_browser import ARTIFACTS, _axe_violations, browser  # noqa: F401  (fixture)
from tests.support.console import csrf_token, running_console, signed_in

PASSWORD = "correct horse battery"
# The outside check of the run contract, from shared/ beside the repository (as CI lays it
# out), or from $SHARED_DIR for a clone somewhere else.
CONTRACT_CHECK = Path(os.environ.get("SHARED_DIR") or REPO_ROOT.parent / "shared") / "tools" / "check-console-contract"


class Console:
    def __init__(self, url: str, db_url: str, settings: Path) -> None:
        self.url = url
        self.db_url = db_url
        self.settings = settings


def _run_async(coroutine) -> None:
    """asyncio.run in a thread of its own: Playwright's sync API may own this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _seed_reports(path: Path) -> None:
    """Two after-treatment reports, as action_symptom_advice leaves them in the tracker."""
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    for sender, text, flags, at in (
        ("visitor-red", "my lips are swelling up since the session", ["face_swelling"], 1_790_000_000.0),
        ("visitor-worry", "bit of peeling on my nose", ["after_treatment_worry"], 1_790_000_100.0),
    ):
        events = [
            UserUttered(text, intent={"name": "report_symptom", "confidence": 1.0}, timestamp=at),
            ActionExecuted("action_symptom_advice", timestamp=at + 0.1),
            SlotSet("safety_flags", flags, timestamp=at + 0.2),
        ]
        _run_async(store.save(DialogueStateTracker.from_events(sender, events)))
    at = 1_790_000_200.0
    booked = [
        UserUttered("can I book for friday", intent={"name": "book_appointment", "confidence": 0.97}, timestamp=at),
        SlotSet("requested_slot", "name", timestamp=at + 1),
        UserUttered("Harriet Vance", intent={"name": "inform", "confidence": 0.9}, timestamp=at + 2),
        SlotSet("name", "Harriet Vance", timestamp=at + 3),
        SlotSet("requested_slot", "phone", timestamp=at + 4),
        UserUttered("212 555 0143", intent={"name": "inform", "confidence": 0.9}, timestamp=at + 5),
        SlotSet("phone", "+12125550143", timestamp=at + 6),
        ActionExecuted("action_submit_booking", timestamp=at + 7),
    ]
    _run_async(store.save(DialogueStateTracker.from_events("visitor-booked", booked)))


def _staff(args, env, stdin=""):
    result = subprocess.run(
        [sys.executable, "-m", "staff", *args], cwd=REPO_ROOT, env=env, input=stdin, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def console() -> Iterator[Console]:
    work = Path(tempfile.mkdtemp(prefix="console-"))
    db_url = f"sqlite:///{work / 'clinic.db'}"
    tracker_url = f"sqlite:///{work / 'tracker.db'}"
    _seed_reports(work / "tracker.db")
    settings = work / "clinic.yml"  # the Clinic details page edits this copy
    settings.write_text((REPO_ROOT / "clinic.yml").read_text())
    env = {**os.environ, "CLINIC_DB_URL": db_url, "TRACKER_DB_URL": tracker_url, "CLINIC_SETTINGS": str(settings)}
    _staff(["user", "add", "maria", "--admin"], env, PASSWORD + "\n")
    _staff(["user", "add", "lockme"], env, "throwaway password 1\n")
    _staff(["user", "add", "lockme2"], env, "throwaway password 2\n")
    store = BookingStore(db_url)
    store.save(
        NewRequest(
            kind=KIND_BOOKING,
            name="Harriet Vance",
            phone="+12125550143",
            preferred_time="2026-12-01T14:00:00-05:00",
            screening="yes",
        ),
        "k1",
    )
    store.save(NewRequest(kind=KIND_CALLBACK, name="Omar Said", phone="+12125550188"), "k2")
    with running_console(env, work / "console.log") as url:
        yield Console(url, db_url, settings)


def _signed_in(console: Console, name: str = "maria", password: str = PASSWORD) -> requests.Session:
    session = signed_in(console.url, name, password)
    cookie = next(c for c in session.cookies if c.name == "staff_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Strict"
    return session


def test_the_run_contracts_console_checks_pass(console):
    if not CONTRACT_CHECK.exists():
        pytest.fail(
            f"{CONTRACT_CHECK} is missing: shared/ sits beside the repository, or set SHARED_DIR", pytrace=False
        )
    result = subprocess.run(
        [
            sys.executable,
            str(CONTRACT_CHECK),
            "--url",
            console.url,
            "--user",
            "maria",
            "--password",
            PASSWORD,
            "--lockout-user",
            "lockme",
            "--lockout-password",
            "throwaway password 1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout and result.stdout.count("ok ") == 6


def test_only_admins_read_the_audit_log(console):
    session = requests.Session()
    form = session.get(console.url + "/login", timeout=10).text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    session.post(
        console.url + "/login",
        data={"username": "lockme2", "password": "throwaway password 2", "csrf_token": token},
        timeout=10,
    )
    assert session.get(console.url + "/bookings", timeout=10).status_code == 200
    assert session.get(console.url + "/audit", timeout=10).status_code == 403
    assert "Audit log" not in session.get(console.url + "/reports", timeout=10).text
    assert _signed_in(console).get(console.url + "/audit", timeout=10).status_code == 200


def test_sessions_csrf_and_json_endpoints_over_http(console):
    anonymous = requests.get(console.url + "/api/bookings/new", timeout=10)
    assert anonymous.status_code == 401
    assert (
        requests.post(
            console.url + "/login", data={"username": "maria", "password": PASSWORD}, allow_redirects=False, timeout=10
        ).status_code
        == 403
    )  # no form token
    session = _signed_in(console)
    assert session.get(console.url + "/api/bookings/new", timeout=10).json() == {"new": 2}
    reference = BookingStore(console.db_url).list_requests("new")[0].reference
    assert (
        session.post(f"{console.url}/bookings/{reference}/contacted", allow_redirects=False, timeout=10).status_code
        == 403
    )  # no CSRF token: nothing changes
    assert BookingStore(console.db_url).list_requests("new")[0].reference == reference
    page = session.get(console.url + "/bookings", timeout=10)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    headers = page.headers
    assert (
        "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        and "unsafe-inline" not in headers["Content-Security-Policy"]
    )
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    moved = session.post(
        f"{console.url}/bookings/{reference}/contacted", data={"csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert moved.status_code == 303
    assert session.get(console.url + "/api/bookings/new", timeout=10).json() == {"new": 1}
    [entry] = [e for e in AccountStore(console.db_url).audit() if e.action == "booking marked contacted"]
    assert (entry.actor, entry.target, entry.old_value, entry.new_value) == ("maria", reference, "new", "contacted")
    session.post(f"{console.url}/bookings/{reference}/new", data={"csrf_token": token}, timeout=10)  # undo
    assert session.get(console.url + "/api/bookings/new", timeout=10).json() == {"new": 2}
    session.post(console.url + "/logout", data={"csrf_token": token}, timeout=10)
    assert session.get(console.url + "/api/bookings/new", timeout=10).status_code == 401  # signed out for good
    too_big = requests.post(console.url + "/login", data={"username": "x" * 70_000}, timeout=10)
    assert too_big.status_code == 413


def _sign_in(page: Page, console: Console, password: str = PASSWORD) -> None:
    page.goto(console.url + "/login")
    page.get_by_label("Name").fill("maria")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width, height, name", [(1280, 860, "desktop"), (820, 1180, "tablet")])
def test_booking_requests_in_the_browser(browser, console, width, height, name):  # noqa: F811
    # The console's CSP allows no inline script; axe-core is injected only for the check.
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _sign_in(page, console, "not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("don't match an account")
    assert _axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-login-{name}.png"))
    _sign_in(page, console)
    expect(page.get_by_role("heading", name="Booking requests")).to_be_visible()
    assert page.title().startswith("(2) Booking requests")
    expect(page.get_by_role("link", name="(212) 555-0143")).to_have_attribute("href", "tel:+12125550143")
    expect(page.get_by_text("Discuss suitability first")).to_be_visible()
    expect(page.get_by_text("Call-back request", exact=True)).to_be_visible()
    expect(page.get_by_text("Tuesday 1 December, 14:00")).to_be_visible()  # in the clinic's zone
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-bookings-{name}.png"), full_page=True)
    reference = BookingStore(console.db_url).list_requests("new")[-1].reference
    page.get_by_role("button", name=f"Mark contacted {reference}").click()
    expect(page.get_by_text(reference)).to_have_count(0)
    page.get_by_role("link", name="Also show contacted").click()
    page.get_by_role("button", name=f"Undo contacted for {reference}").click()
    expect(page.get_by_role("button", name=f"Mark contacted {reference}")).to_be_visible()
    page.get_by_role("link", name="After-treatment reports").click()
    expect(page.get_by_text("2 reports, 1 with a red flag")).to_be_visible()
    expect(page.get_by_text("Swelling of the face, lips, tongue or throat")).to_be_visible()
    expect(page.get_by_text("my lips are swelling up since the session")).to_be_visible()
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-reports-{name}.png"), full_page=True)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="booking marked contacted").first).to_be_visible()
    assert _axe_violations(page) == []
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name="Forget a person")).to_be_visible()
    expect(page.get_by_label("Phone number")).to_be_visible()
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-privacy-{name}.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_conversation_exports_mask_personal_data_unless_an_admin_asks(console):
    staff = _signed_in(console, "lockme2", "throwaway password 2")
    masked = staff.get(console.url + "/conversations.csv?personal_data=show", timeout=10)
    assert masked.status_code == 200 and masked.headers["Content-Type"].startswith("text/csv")
    assert "visitor-booked" in masked.text and "[name]" in masked.text
    assert "Harriet" not in masked.text and "555" not in masked.text  # not an admin: masked anyway
    assert "CSV with personal data" not in staff.get(console.url + "/conversations", timeout=10).text
    admin = _signed_in(console)
    shown = admin.get(console.url + "/conversations.csv?personal_data=show&outcome=booked", timeout=10)
    assert "Harriet Vance" in shown.text and "visitor-red" not in shown.text
    [entry] = [e for e in AccountStore(console.db_url).audit() if e.action.startswith("conversations exported")]
    assert (entry.actor, entry.target, entry.new_value) == ("maria", "outcome=booked", "1")
    assert admin.get(console.url + "/conversations?since=yesterday", timeout=10).status_code == 400
    assert admin.get(console.url + "/conversations/nobody-here", timeout=10).status_code == 404
    assert requests.get(console.url + "/conversations.csv", allow_redirects=False, timeout=10).status_code == 303


@pytest.mark.parametrize("width, height, name", [(1280, 860, "desktop"), (820, 1180, "tablet")])
def test_conversations_in_the_browser(browser, console, width, height, name):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _sign_in(page, console)
    page.get_by_role("link", name="Conversations").click()
    expect(page.get_by_text("3 conversations, newest first")).to_be_visible()
    page.get_by_label("What happened").select_option(label="After-treatment report")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("2 conversations match")).to_be_visible()
    expect(page.get_by_text("bit of peeling on my nose")).to_be_visible()  # the first message
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-conversations-{name}.png"), full_page=True)
    page.get_by_label("Visitor wrote").fill("LIPS")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 conversation match")).to_be_visible()
    page.get_by_role("link", name="Read").click()
    expect(page.get_by_text("my lips are swelling up since the session")).to_be_visible()
    expect(page.get_by_text("After-treatment report", exact=True)).to_be_visible()
    expect(page.get_by_text("100% sure")).to_be_visible()
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-transcript-{name}.png"), full_page=True)
    context.close()


def _form_values(html: str) -> dict:
    """The clinic details form's fields as the browser would post them."""
    import re

    values = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
        if not name.endswith("_closed")  # checkboxes: sent only when checked
    }
    values.update({name: "1" for name in re.findall(r'name="([a-z]+_closed)" value="1" checked', html)})
    values["timezone"] = "America/New_York"
    return values


def test_two_staff_saving_clinic_details_at_once_lose_neither_edit(console):
    from clinic.settings import load_settings

    alice, bob = _signed_in(console), _signed_in(console)
    alice_form = _form_values(alice.get(console.url + "/clinic", timeout=10).text)
    bob_form = _form_values(bob.get(console.url + "/clinic", timeout=10).text)
    alice_form["address"] = "1 New Street, New York, NY 10001"
    bob_form["phone"] = "(212) 555-0199"
    first = alice.post(console.url + "/clinic", data=alice_form, allow_redirects=False, timeout=10)
    assert first.status_code == 303
    second = bob.post(console.url + "/clinic", data=bob_form, timeout=10)
    assert second.status_code == 409 and "Someone else saved the clinic details" in second.text
    assert "(212) 555-0199" in second.text  # bob sees the value he would lose
    saved = load_settings(console.settings)
    assert saved.address == "1 New Street, New York, NY 10001" and saved.phone == "(212) 555-0100"
    without_token = {k: v for k, v in bob_form.items() if k != "csrf_token"}
    assert bob.post(console.url + "/clinic", data=without_token, timeout=10).status_code == 403
    entries = [e for e in AccountStore(console.db_url).audit() if e.action == "clinic details changed"]
    assert [(e.target, e.old_value, e.new_value) for e in entries] == [
        ("address", "120 Example Avenue, Suite 4, New York, NY 10001", "1 New Street, New York, NY 10001")
    ]


@pytest.mark.parametrize("width, height, name", [(1280, 860, "desktop"), (820, 1180, "tablet")])
def test_clinic_details_in_the_browser(browser, console, width, height, name):  # noqa: F811
    from clinic.settings import load_settings

    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _sign_in(page, console)
    page.get_by_role("link", name="Clinic details").click()
    before = console.settings.read_text()
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-clinic-{name}.png"), full_page=True)
    page.get_by_label("Phone visitors call").fill("555")
    page.get_by_label("Sunday opens").fill("13:00")
    page.get_by_label("Sunday closes").fill("11:00")
    page.get_by_label("Closed all day on Sunday").uncheck()
    page.get_by_role("button", name="Save clinic details").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#c-phone-error")).to_have_text("'555' is not a valid number for region US")
    expect(page.locator("#c-sunday-error")).to_have_text("Closing time must be after opening time")
    expect(page.get_by_label("Phone visitors call")).to_have_attribute("aria-invalid", "true")
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-clinic-errors-{name}.png"), full_page=True)
    assert console.settings.read_text() == before  # nothing written
    page.get_by_label("Phone visitors call").fill("(212) 555-0100")
    closes = "12:00" if name == "desktop" else "12:30"
    page.get_by_label("Sunday opens").fill("10:00")
    page.get_by_label("Sunday closes").fill(closes)
    page.get_by_role("button", name="Save clinic details").click()
    expect(page.get_by_role("status")).to_contain_text("New conversations use them now")
    assert load_settings(console.settings).opening_hours["sunday"].describe() == f"10:00–{closes}"
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="opening hours, sunday").first).to_be_visible()
    context.close()


@pytest.mark.parametrize("width, height, name", [(1280, 860, "desktop"), (820, 1180, "tablet")])
def test_insights_in_the_browser(browser, console, width, height, name):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _sign_in(page, console)
    page.get_by_role("link", name="Insights").click()
    page.get_by_label("Period", exact=True).select_option(label="Last 90 days")
    page.get_by_role("button", name="Show").click()
    figures = page.get_by_role("list", name="Totals for the period")
    expect(figures).to_contain_text("booking and call-back requests")
    expect(page.get_by_role("img", name="Booking requests per day")).to_be_visible()
    assert _axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-insights-{name}.png"), full_page=True)
    context.close()


def test_only_admins_delete_a_visitors_data_and_it_is_audited(console):
    staff = _signed_in(console, "lockme2", "throwaway password 2")
    page = staff.get(console.url + "/conversations/visitor-booked", timeout=10)
    assert page.status_code == 200 and "Delete this visitor" not in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = staff.post(
        console.url + "/conversations/visitor-booked/delete", data={"csrf_token": token, "confirm": "yes"}, timeout=10
    )
    assert refused.status_code == 403
    admin = _signed_in(console)
    page = admin.get(console.url + "/conversations/visitor-booked", timeout=10)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    unconfirmed = admin.post(
        console.url + "/conversations/visitor-booked/delete", data={"csrf_token": token}, timeout=10
    )
    assert unconfirmed.status_code == 400
    assert (
        admin.post(
            console.url + "/conversations/visitor-booked/delete", data={"confirm": "yes"}, timeout=10
        ).status_code
        == 403
    )
    done = admin.post(
        console.url + "/conversations/visitor-booked/delete",
        data={"csrf_token": token, "confirm": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 303
    assert admin.get(console.url + "/conversations/visitor-booked", timeout=10).status_code == 404
    [entry] = [e for e in AccountStore(console.db_url).audit() if e.action == "a person's data deleted"]
    assert (entry.actor, entry.target, entry.new_value) == ("maria", "visitor-booked", "deleted")


def test_only_admins_forget_a_person_on_the_privacy_page(console):
    # A visitor who typed their number one way; the booking form stored it another; a call-back request.
    at = 1_790_000_300.0
    events = [
        UserUttered("you can reach me at 212.555.0177", intent={"name": "inform", "confidence": 0.9}, timestamp=at),
        SlotSet("phone", "+12125550177", timestamp=at + 1),
    ]
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(console.settings.parent / "tracker.db"))
    _run_async(store.save(DialogueStateTracker.from_events("visitor-forget-me", events)))
    reference = BookingStore(console.db_url).save(
        NewRequest(kind=KIND_CALLBACK, name="Forget Me", phone="+12125550177"), "visitor-forget-me:callback_form:1"
    )

    staff = _signed_in(console, "lockme2", "throwaway password 2")
    assert staff.get(console.url + "/privacy", timeout=10).status_code == 403
    assert 'href="/privacy"' not in staff.get(console.url + "/bookings", timeout=10).text
    token = csrf_token(staff.get(console.url + "/bookings", timeout=10).text)
    asked = {"csrf_token": token, "phone": "(212) 555-0177", "confirm": "yes"}
    assert staff.post(console.url + "/privacy/forget", data=asked, timeout=10).status_code == 403

    admin = _signed_in(console)
    page = admin.get(console.url + "/privacy", timeout=10)
    assert page.status_code == 200 and 'href="/privacy" aria-current="page"' in page.text
    assert '<label for="p-phone">' in page.text and '<label for="p-reference">' in page.text
    assert "180 days after their last message" in page.text and "<script>" not in page.text
    token = csrf_token(page.text)
    no_token = admin.post(console.url + "/privacy/forget", data={**asked, "csrf_token": ""}, timeout=10)
    unconfirmed = admin.post(
        console.url + "/privacy/forget", data={**asked, "csrf_token": token, "confirm": ""}, timeout=10
    )
    unreadable = admin.post(
        console.url + "/privacy/forget", data={**asked, "csrf_token": token, "phone": "call me"}, timeout=10
    )
    assert (no_token.status_code, unconfirmed.status_code, unreadable.status_code) == (403, 400, 400)
    assert "can&#39;t be read as a phone number" in unreadable.text and 'value="call me"' in unreadable.text
    assert admin.get(console.url + "/conversations/visitor-forget-me", timeout=10).status_code == 200

    done = admin.post(
        console.url + "/privacy/forget", data={**asked, "csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert done.status_code == 303
    shown = admin.get(console.url + done.headers["Location"], timeout=10).text
    assert "Deleted 1 conversation(s) (2 messages and other events) and 1 booking request(s)" in shown
    assert admin.get(console.url + "/conversations/visitor-forget-me", timeout=10).status_code == 404
    assert reference not in {r.reference for r in BookingStore(console.db_url).list_requests()}
    [entry] = [e for e in AccountStore(console.db_url).audit() if e.action == "a person's data forgotten"]
    assert (entry.actor, entry.target) == ("maria", "by phone number")
    assert entry.old_value == "1 conversation(s) (2 events), 1 booking request(s)"
    assert "0177" not in " ".join(str(value) for key, value in entry.__dict__.items() if key != "at")
