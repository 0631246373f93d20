"""The staff console: a thin web layer over the same functions the `python -m staff` CLI calls.

    python -m staff.console --port 8081      (make run starts it at $STAFF_PORT)

Sanic (already in the stack) and Jinja2 templates with autoescaping; no build step and no
CDN. Pages need a session (else a redirect to /login), JSON endpoints answer 401, and every
POST needs the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`), else
403. Responses carry a Content-Security-Policy without inline script, `frame-ancestors
'none'`, nosniff and no caching.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import secrets
import time
from dataclasses import replace
from datetime import datetime, timezone
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote

import phonenumbers
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from zoneinfo import available_timezones

from clinic.dates import day_parts
from clinic.limits import MAX_REQUEST_BYTES, effective_rate_limits
from clinic.paths import REPO_ROOT, VAR_DIR, settings_path, tracker_db_url
from clinic.settings import WEEKDAYS, ClinicSettings, current_settings
from clinic.topics import TOPIC_NAMES
from clinic.triage import signs_for
from staff import (
    clinic_details,
    console_live,
    console_privacy,
    console_teach,
    conversation_views,
    insights,
    live,
    teach,
)
from staff.accounts import Accounts
from staff.console_auth import LOGIN_COOKIE, SESSION_COOKIE, ConsoleAuth, Session
from staff.console_context import ConsoleContext, Handler, clinic_name
from staff.file_edits import EditConflictError
from staff.go_live import GoLive
from storage.bookings import KIND_CALLBACK, STATUS_CONTACTED, BookingStore, StoredRequest
from storage.conversation_index import ConversationIndex
from storage.conversations import TrackerReader
from storage.erasure import erase_visitor
from storage.handoffs import HandoffStore
from storage.rate_limits import RateLimiter, counts_from_env
from storage.staff_accounts import AccountStore

HERE = Path(__file__).resolve().parent
SECRET_ENV_VAR = "STAFF_CONSOLE_SECRET"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
SIGN_IN_MESSAGES = {
    "wrong": "That name and password don't match an account. Check both and try again.",
    "locked": "This account is locked for 15 minutes after too many wrong passwords. Ask an admin, or try later.",
    "disabled": "This account is switched off. Ask an admin to turn it back on.",
    "too_fast": "Too many sign-in attempts from this address. Wait {seconds} seconds and try again.",
}
TIME_ZONES = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))
BOOKINGS_PAGE = 200  # requests per page, new first
REPORTS_PAGE = 100
ALL_TIME = 1e11  # a UNIX time far beyond any conversation
EXPORT_LIMIT = 5000  # conversations in one CSV; narrow the dates for more
logger = logging.getLogger(__name__)


def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))


def describe_request(request: StoredRequest, settings: ClinicSettings) -> Dict[str, Any]:
    """What the bookings page shows for one request, in the clinic's time zone."""
    when = ""
    if request.preferred_time:
        moment = datetime.fromisoformat(request.preferred_time).astimezone(settings.zone)
        parts = day_parts(moment.date())
        when = f"{parts['weekday']} {parts['day']} {parts['month']}, {moment:%H:%M}"
    created = request.created_at
    if created.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
        created = created.replace(tzinfo=timezone.utc)
    received = created.astimezone(settings.zone)
    return {
        "reference": request.reference,
        "name": request.name,
        "phone": request.phone,
        "phone_shown": _national(request.phone, settings.phone_region),
        "when": when,
        "callback": request.kind == KIND_CALLBACK,
        "review": request.needs_provider_review,
        "contacted": request.status == STATUS_CONTACTED,
        "received": f"{received:%d %b %H:%M}",
    }


def _national(e164: str, region: str) -> str:
    """A number as the clinic dials it: national format at home, international abroad."""
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return str(phonenumbers.format_number(number, style))


def create_app(
    accounts: Accounts,
    bookings: BookingStore,
    secret: str,
    name: str = "clinic_staff_console",
    tracker_url: Optional[str] = None,
    root: Path = REPO_ROOT,
    state_dir: Path = VAR_DIR,
    conversation_index: Optional[ConversationIndex] = None,
    handoff_store: Optional[HandoffStore] = None,
) -> Sanic:
    app = Sanic(name)
    tracker_url = tracker_url or tracker_db_url()
    index = conversation_index or ConversationIndex(tracker_url=tracker_url)
    reader = TrackerReader(tracker_url)  # transcripts: one engine (and its pool) for every request
    ignored = teach.IgnoredQuestions(state_dir / "teach_ignored.json")
    handoffs = handoff_store or HandoffStore()
    go_live = GoLive(
        root=root,
        state_dir=state_dir,
        on_live=lambda who, before, after: accounts.audit(who, "model put live", "assistant", before, after),
    )
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES  # forms are small; anything bigger is refused with 413
    # Sign-in attempts per address a minute (clinic.yml), counted with the chat's limits:
    # slows password guessing from one place on top of the per-account lock.
    sign_in_limiter = RateLimiter(counts_from_env(), prefix="clinic:console")
    auth = ConsoleAuth(accounts, secret)
    templates = _templates()
    app.static("/static", str(HERE / "static"), name="static")

    def page(template: str, status: int = 200, **values: Any) -> HTTPResponse:
        return response.html(templates.get_template(template).render(**values), status=status)

    def staff_page(template: str, session: Session, status: int = 200, **values: Any) -> HTTPResponse:
        """A page for a signed-in staff member: who they are, their form token, the clinic's name and zone."""
        values.setdefault("clinic", clinic_name())
        values.setdefault("zone", _clinic_zone())
        return page(template, status=status, user=session.user, csrf_token=session.csrf_token, **values)

    def set_cookie(reply: HTTPResponse, request: Request, cookie: str, value: str) -> None:
        reply.cookies[cookie] = value
        reply.cookies[cookie]["httponly"] = True
        reply.cookies[cookie]["samesite"] = "Strict"
        reply.cookies[cookie]["path"] = "/"
        if request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
            reply.cookies[cookie]["secure"] = True

    def session_of(request: Request) -> Optional[Session]:
        return auth.session(request.cookies.get(SESSION_COOKIE))

    def signed_in(json_api: bool = False, admins_only: str = "") -> Callable[[Handler], Handler]:
        """A page or endpoint for signed-in staff; `admins_only`: the 403 text others get."""

        def decorate(handler: Handler) -> Handler:
            @wraps(handler)
            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                session = session_of(request)
                if session is None:
                    if json_api:
                        return response.json({"error": "sign in first"}, status=401)
                    return response.redirect("/login", status=303)
                if admins_only and not session.user.is_admin:
                    return response.text(admins_only, status=403)
                try:
                    handoffs.seen(session.user.name)  # any page of theirs open keeps them present
                except Exception:
                    logger.exception("could not record this staff member's presence")
                if request.method not in ("GET", "HEAD"):
                    given = request.form.get("csrf_token") if request.form else None
                    if not auth.csrf_ok(session, given or request.headers.get("x-csrf-token")):
                        return response.text("The form was out of date; go back, reload and try again.", status=403)
                return await handler(request, session, *args, **kwargs)

            return wrapped

        return decorate

    @app.middleware("response")
    async def security_headers(request: Request, reply: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            reply.headers.setdefault(header, value)

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        return response.redirect("/bookings" if session_of(request) else "/login", status=303)

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        if session_of(request):
            return response.redirect("/bookings", status=303)
        return _login_page(request)

    def _login_page(request: Request, message: str = "", status: int = 200, name: str = "") -> HTTPResponse:
        cookie, token = auth.login_form()
        reply = page("login.html", status=status, csrf_token=token, message=message, name=name, clinic=clinic_name())
        set_cookie(reply, request, LOGIN_COOKIE, cookie)
        return reply

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        limit = effective_rate_limits(current_settings().rate_limits).console_sign_ins_per_address_per_minute
        verdict = await sign_in_limiter.check("sign-in", str(request.remote_addr or request.ip), limit)
        if not verdict.allowed:
            reply = _login_page(request, SIGN_IN_MESSAGES["too_fast"].format(seconds=verdict.retry_after), status=429)
            reply.headers["Retry-After"] = str(verdict.retry_after)
            return reply
        form = request.form or {}
        if not auth.login_form_ok(request.cookies.get(LOGIN_COOKIE), form.get("csrf_token")):
            return response.text("The sign-in form was out of date; reload it and try again.", status=403)
        name = (form.get("username") or "")[:64]
        result = accounts.sign_in(name, form.get("password") or "")
        if not result.ok or result.user is None:
            return _login_page(request, SIGN_IN_MESSAGES[result.reason], status=401, name=name)
        reply = response.redirect("/bookings", status=303)
        set_cookie(reply, request, SESSION_COOKIE, auth.start(result.user))
        try:  # signed in means available for live chats, until "Stop taking chats"
            handoffs.set_available(result.user.name, True)
        except Exception:
            logger.exception("could not mark this staff member available")
        del reply.cookies[LOGIN_COOKIE]
        return reply

    @app.post("/logout")
    @signed_in()
    async def logout(request: Request, session: Session) -> HTTPResponse:
        try:
            live.release_idle(handoffs, session.user.name, current_settings())
        except Exception:  # signing out must always work
            logger.exception("could not give this staff member's conversations back to the queue")
        auth.end(session)
        reply = response.redirect("/login", status=303)
        del reply.cookies[SESSION_COOKIE]
        return reply

    @app.get("/bookings")
    @signed_in()
    async def bookings_page(request: Request, session: Session) -> HTTPResponse:
        show_all = request.args.get("show") == "all"
        settings = current_settings()
        try:
            page_number = max(1, int(request.args.get("page") or 1))
        except ValueError:
            page_number = 1
        status = None if show_all else "new"
        stored = bookings.list_requests(status, BOOKINGS_PAGE, (page_number - 1) * BOOKINGS_PAGE)
        new_count = bookings.count_requests("new")
        total = bookings.count_requests(status)
        return staff_page(
            "bookings.html",
            session,
            requests=[describe_request(r, settings) for r in stored],
            show_all=show_all,
            page_number=page_number,
            pages=max(1, -(-total // BOOKINGS_PAGE)),
            new_count=new_count,
            active="bookings",
        )

    # POST /bookings/<reference>/contacted marks a request contacted; .../new undoes that.
    status_changes = {
        "contacted": (bookings.mark_contacted, "booking marked contacted", "new"),
        "new": (bookings.mark_new, "booking marked new again", "contacted"),
    }

    @app.post("/bookings/<reference:str>/<status:str>")
    @signed_in()
    async def change_status(request: Request, session: Session, reference: str, status: str) -> HTTPResponse:
        if status not in status_changes:
            return response.text("Unknown change.", status=404)
        change, action, before = status_changes[status]
        if change(reference):
            accounts.audit(session.user.name, action, reference.upper(), before, status)
        return response.redirect(_back(request), status=303)

    @app.get("/bookings.csv")
    @signed_in()
    async def bookings_csv(request: Request, session: Session) -> HTTPResponse:
        out = io.StringIO()
        bookings.export_csv(out, None if request.args.get("show") == "all" else "new")
        return response.text(
            out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="booking-requests.csv"'},
        )

    @app.get("/reports")
    @signed_in()
    async def reports_page(request: Request, session: Session) -> HTTPResponse:
        settings = current_settings()
        try:
            page_number = max(1, int(request.args.get("page") or 1))
        except ValueError:
            page_number = 1
        total, found = index.latest_safety_reports(REPORTS_PAGE, (page_number - 1) * REPORTS_PAGE)
        # Plain names of the red flags: the shared list (red_flags.yml) and the clinic's own.
        sign_names = {sign.key: sign.sign for sign in signs_for(settings.red_flags)}
        rows = [
            {
                "when": f"{datetime.fromtimestamp(report.timestamp, tz=settings.zone):%d %b %H:%M}",
                "red_flag": report.is_red_flag,
                "signs": [sign_names.get(flag, flag) for flag in report.flags] if report.is_red_flag else [],
                "conversation": sender_id,
                "text": report.text,
            }
            for report, sender_id in found
        ]
        return staff_page(
            "reports.html",
            session,
            rows=rows,
            total=total,
            page_number=page_number,
            pages=max(1, -(-total // REPORTS_PAGE)),
            red=index.red_flag_reports(0.0, ALL_TIME)[0],
            active="reports",
        )

    @app.get("/audit")
    @signed_in(admins_only="Only admins can read the audit log.")
    async def audit_page(request: Request, session: Session) -> HTTPResponse:
        settings = current_settings()
        entries = [
            {**entry.__dict__, "at": f"{entry.at.astimezone(settings.zone):%d %b %Y %H:%M}"}
            for entry in accounts.store.audit()
        ]
        return staff_page(
            "audit.html",
            session,
            entries=entries,
            active="audit",
        )

    @app.get("/conversations")
    @signed_in()
    async def conversations_page(request: Request, session: Session) -> HTTPResponse:
        settings = current_settings()
        filters = conversation_views.Filters.from_args(dict(request.args))
        problem, total, rows = "", 0, []
        try:
            total, found = index.summaries(filters.query(settings))
            rows = [conversation_views.describe_summary(summary, settings) for summary in found]
        except conversation_views.QueryError as error:
            problem = f"Can't search like that: {error}."
        pages = max(1, -(-total // conversation_views.PAGE_SIZE))
        deleted = request.args.get("deleted")
        return staff_page(
            "conversations.html",
            session,
            deleted=deleted if deleted and deleted.isdigit() else "",
            status=400 if problem else 200,
            rows=rows,
            total=total,
            filters=filters,
            pages=pages,
            problem=problem,
            outcomes=conversation_views.OUTCOME_NAMES,
            topics=TOPIC_NAMES,
            active="conversations",
        )

    @app.get("/conversations/<sender_id:str>")
    @signed_in()
    async def transcript_page(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        settings = current_settings()
        found = reader.conversations(unquote(sender_id))
        if not found:
            return response.text("There is no conversation with that name.", status=404)
        conversation = found[0]
        return staff_page(
            "transcript.html",
            session,
            conversation=conversation,
            started=conversation_views.clinic_time(conversation.started, settings),
            outcomes=conversation.outcomes,
            lines=conversation_views.describe_transcript(conversation, settings),
            active="conversations",
        )

    @app.post("/conversations/<sender_id:str>/delete")
    @signed_in(admins_only="Only admins can delete a visitor's data.")
    async def delete_conversation(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        if (request.form or {}).get("confirm") != "yes":
            return response.text("Tick the box to confirm, then press Delete again.", status=400)
        sender_id = unquote(sender_id)
        erased = erase_visitor(sender_id, tracker_url)
        accounts.audit(session.user.name, "a person's data deleted", sender_id, erased.describe(), "deleted")
        return response.redirect(f"/conversations?deleted={erased.events}", status=303)

    @app.get("/conversations.csv")
    @signed_in()
    async def conversations_csv(request: Request, session: Session) -> HTTPResponse:
        settings = current_settings()
        filters = conversation_views.Filters.from_args(dict(request.args))
        # Personal data stays masked in files that leave the console, unless an admin asks.
        unmasked = request.args.get("personal_data") == "show" and session.user.is_admin
        try:
            query = filters.query(settings, limit=EXPORT_LIMIT)
        except conversation_views.QueryError as error:
            return response.text(f"Can't export like that: {error}.", status=400)
        _, found = index.summaries(replace(query, offset=0))
        out = io.StringIO()
        ids = [summary.sender_id for summary in found]
        for start in range(0, len(ids), 200):
            conversation_views.export_csv(
                reader.conversations_of(ids[start : start + 200]), out, settings, masked=not unmasked, header=start == 0
            )
        if unmasked:
            accounts.audit(
                session.user.name, "conversations exported with personal data", filters.link(), "", str(len(ids))
            )
        return response.text(
            out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="conversations.csv"'},
        )

    def details_page(
        session: Session,
        form: clinic_details.DetailsForm,
        errors: Optional[Dict[str, str]] = None,
        message: str = "",
        lost: Optional[List[Tuple[str, str]]] = None,
        status: int = 200,
    ) -> HTTPResponse:
        return staff_page(
            "clinic.html",
            session,
            status=status,
            form=form,
            errors=errors or {},
            message=message,
            lost=lost or [],
            weekdays=WEEKDAYS,
            zones=TIME_ZONES,
            extra_price_rows=clinic_details.PRICE_ROWS_EXTRA,
            active="clinic",
        )

    @app.get("/clinic")
    @signed_in()
    async def clinic_page(request: Request, session: Session) -> HTTPResponse:
        saved = request.args.get("saved")
        message = f"Saved: {saved} change(s). New conversations use them now." if saved else ""
        return details_page(session, clinic_details.load_form(settings_path()), message=message)

    @app.post("/clinic")
    @signed_in()
    async def save_clinic(request: Request, session: Session) -> HTTPResponse:
        form = clinic_details.form_from_post({k: v[0] for k, v in (request.form or {}).items() if v})
        try:
            result, changes = clinic_details.save(settings_path(), form)
        except EditConflictError:
            saved = clinic_details.load_form(settings_path())
            lost = clinic_details.differences(form, saved)
            return details_page(session, saved, lost=lost, status=409)
        if not result.ok:
            return details_page(session, form, errors=result.errors, status=400)
        for what, before, after in changes:
            accounts.audit(session.user.name, "clinic details changed", what, before, after)
        return response.redirect(f"/clinic?saved={len(changes)}", status=303)

    @app.get("/insights")
    @signed_in()
    async def insights_page(request: Request, session: Session) -> HTTPResponse:
        settings = current_settings()
        period = str(request.args.get("period")) if request.args.get("period") in insights.PERIODS else "30"
        report = insights.build(index, bookings, settings, period, handoffs=handoffs)
        return staff_page(
            "insights.html",
            session,
            report=report,
            period=period,
            periods=insights.PERIODS,
            chart_height=insights.CHART_HEIGHT,
            active="insights",
        )

    context = ConsoleContext(
        page=staff_page,
        signed_in=signed_in,
        accounts=accounts,
        bookings=bookings,
        handoffs=handoffs,
        index=index,
        go_live=go_live,
        ignored=ignored,
        tracker_url=tracker_url,
        root=root,
    )
    console_teach.register(app, context)
    console_live.register(app, context)
    console_privacy.register(app, context)

    @app.get("/api/bookings/new")
    @signed_in(json_api=True)
    async def new_bookings(request: Request, session: Session) -> HTTPResponse:
        return response.json({"new": bookings.count_requests("new")})

    return app


def _back(request: Request) -> str:
    return "/bookings?show=all" if (request.form or {}).get("show") == "all" else "/bookings"


def _clinic_zone() -> str:
    try:
        return current_settings().timezone
    except Exception:  # pages must show even when clinic.yml is being fixed
        return "UTC"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m staff.console", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("STAFF_PORT", "8081")))
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the project whose files staff edit and train")
    parser.add_argument("--state-dir", type=Path, default=VAR_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # A per-start secret signs cookies unless one is set; sessions live on the server anyway.
    secret = os.environ.get(SECRET_ENV_VAR) or secrets.token_urlsafe(32)
    index = ConversationIndex()
    started = time.monotonic()
    print("Indexing the conversations for the console...", flush=True)
    read = index.refresh(force=True)  # the first time after an upgrade reads every event once
    print(f"Indexed {read} new events in {time.monotonic() - started:.1f} s.", flush=True)
    app = create_app(
        Accounts(AccountStore()),
        BookingStore(),
        secret,
        root=args.root.resolve(),
        state_dir=args.state_dir.resolve(),
        conversation_index=index,
    )
    app.run(host=args.host, port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
