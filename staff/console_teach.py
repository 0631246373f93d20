"""The console's Teach, Answers and going-live pages: teaching missed questions, editing texts,
training in the background and going back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, List

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.settings import current_settings
from staff import review, teach, text_edits
from staff.console_auth import Session
from staff.console_context import ConsoleContext
from staff.file_edits import EditConflictError
from staff.go_live import GoLiveError

TEACH_LIMIT = 100  # questions on the Teach page at once, most asked first
TEACH_MESSAGES = {
    "started": "Thank you. The assistant is learning now; the progress is shown below.",
    "queued": 'Saved. A training is already running; press "Put live now" when it ends to include these too.',
    "ignored": "Those questions are hidden from this list now.",
    "nothing": "Nothing was chosen, so nothing changed.",
    "back": "The assistant answers with the previous model again.",
}


def register(app: Sanic, ctx: ConsoleContext) -> None:
    page, signed_in, accounts = ctx.page, ctx.signed_in, ctx.accounts
    root, index = ctx.root, ctx.index
    go_live, ignored = ctx.go_live, ctx.ignored

    # -- Teach -----------------------------------------------------------------------
    def teach_items(period: str) -> List[teach.TeachItem]:
        conversations = index.messages_since(teach.since(period), review.DEFAULT_THRESHOLD)
        items = teach.missed_questions(conversations, root / "data", ignored.keys(), current_settings().phone_region)
        return items[:TEACH_LIMIT]

    def job_page(template: str, session: Session, status: int = 200, **values: Any) -> HTTPResponse:
        return page(template, session, status=status, job=go_live.status(), **values)

    @app.get("/teach")
    @signed_in()
    async def teach_page(request: Request, session: Session) -> HTTPResponse:
        period = str(request.args.get("period")) if request.args.get("period") in teach.PERIODS else "30"
        return job_page(
            "teach.html",
            session,
            items=teach_items(period),
            period=period,
            periods=teach.PERIODS,
            teachable=teach.TEACHABLE,
            limit=TEACH_LIMIT,
            message=TEACH_MESSAGES.get(request.args.get("done") or "", ""),
            active="teach",
        )

    @app.post("/teach")
    @signed_in()
    async def teach_post(request: Request, session: Session) -> HTTPResponse:
        form = request.form or {}
        period = str(form.get("period")) if form.get("period") in teach.PERIODS else "30"
        choices = {
            # "Another topic..." wins over the radio buttons when staff chose one there.
            str(form.get(f"key_{n}")): str(form.get(f"label_{n}_other") or form.get(f"label_{n}") or teach.LATER)
            for n in range(TEACH_LIMIT)
            if form.get(f"key_{n}")
        }
        try:
            taught = teach.teach(choices, teach_items(period), root / "data", ignored)
        except review.LabelError as error:
            return response.text(f"Nothing was taught: {error}", status=400)
        for label, messages in taught.labelled.items():
            for message in messages:
                accounts.audit(session.user.name, "question labelled", message, "", teach.TEACHABLE[label])
        for message in taught.ignored:
            accounts.audit(session.user.name, "question ignored", message, "", "ignore")
        if not taught.count:
            done = "ignored" if taught.ignored else "nothing"
            return response.redirect(f"/teach?period={period}&done={done}", status=303)
        taught_what = "1 question taught" if taught.count == 1 else f"{taught.count} questions taught"
        started = go_live.start(session.user.name, taught_what)
        return response.redirect(f"/teach?period={period}&done={'started' if started else 'queued'}", status=303)

    @app.get("/api/go-live")
    @signed_in(json_api=True)
    async def go_live_status(request: Request, session: Session) -> HTTPResponse:
        return response.json(go_live.status())

    @app.post("/go-live/back")
    @signed_in()
    async def go_back(request: Request, session: Session) -> HTTPResponse:
        try:
            model = go_live.go_back(session.user.name)
        except GoLiveError as error:
            return response.text(f"Could not go back: {error}.", status=409)
        return response.redirect(f"{_safe_back(request)}?done=back&model={model}", status=303)

    @app.post("/go-live")
    @signed_in()
    async def go_live_now(request: Request, session: Session) -> HTTPResponse:
        go_live.start(session.user.name, "put live from the console")
        return response.redirect(_safe_back(request), status=303)

    # -- Answers and other messages -------------------------------------------------------
    @app.get("/answers")
    @signed_in()
    async def answers_page(request: Request, session: Session) -> HTTPResponse:
        return job_page(
            "answers.html",
            session,
            answers=text_edits.list_texts(text_edits.ANSWERS, root),
            replies=text_edits.list_texts(text_edits.REPLIES, root),
            messages=text_edits.list_texts(text_edits.MESSAGES, root),
            message=TEACH_MESSAGES.get(request.args.get("done") or "", ""),
            active="answers",
        )

    def editor_page(
        session: Session, editable: text_edits.EditableText, text: str, status: int = 200, **values: Any
    ) -> HTTPResponse:
        settings = current_settings()
        return job_page(
            "edit_text.html",
            session,
            status=status,
            editable=editable,
            text=text,
            preview=text_edits.preview(editable, text, settings),
            max_chars=text_edits.MAX_TEXT_CHARS,
            active="answers",
            **values,
        )

    @app.get("/answers/<kind:str>/<key:str>")
    @signed_in()
    async def edit_text_page(request: Request, session: Session, kind: str, key: str) -> HTTPResponse:
        editable = text_edits.find_text(kind, key, root)
        if editable is None:
            return response.text("There is no such text.", status=404)
        return editor_page(
            session,
            editable,
            editable.text,
            saved=request.args.get("saved") == "1",
            message=TEACH_MESSAGES.get(request.args.get("done") or "", ""),
        )

    @app.post("/answers/<kind:str>/<key:str>")
    @signed_in()
    async def save_text(request: Request, session: Session, kind: str, key: str) -> HTTPResponse:
        editable = text_edits.find_text(kind, key, root)
        if editable is None:
            return response.text("There is no such text.", status=404)
        form = request.form or {}
        text = str(form.get("text") or "").replace("\r\n", "\n")[: text_edits.MAX_TEXT_CHARS * 2]
        original = str(form.get("original") or "")
        version = str(form.get("version") or "")
        problems = text_edits.problems_with(kind, key, text, current_settings(), root)
        shown = replace(editable, version=version, text=original)  # keep what the editor started from
        if form.get("action") == "preview" or problems:
            return editor_page(
                session,
                shown,
                text,
                status=400 if problems and form.get("action") != "preview" else 200,
                problems=problems,
                previewed=True,
            )
        try:
            before, _ = text_edits.save_text(kind, key, text, version, original, root)
        except EditConflictError:
            latest = text_edits.find_text(kind, key, root) or editable
            return editor_page(session, latest, latest.text, status=409, conflict=text)
        accounts.audit(
            session.user.name,
            {text_edits.ANSWERS: "answer edited", text_edits.REPLIES: "reply edited"}.get(kind, "message edited"),
            editable.title,
            before,
            text.strip(),
        )
        if editable.goes_live_by_training:
            go_live.start(session.user.name, f"answer edited: {editable.title}")
        return response.redirect(f"/answers/{kind}/{key}?saved=1", status=303)


def _safe_back(request: Request) -> str:
    """Where a go-live button sends staff back to: one of the console's own pages, nothing else."""
    back = str((request.form or {}).get("back") or "/teach")
    return back if back in ("/teach", "/answers") or back.startswith("/answers/") and "//" not in back else "/teach"
