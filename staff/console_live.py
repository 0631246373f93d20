"""The console's Live pages: visitors waiting for a person, taking over, replying, handing back."""

from __future__ import annotations

import logging
from typing import Any, Dict
from urllib.parse import quote

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.settings import current_settings
from clinic.texts import clinic_placeholders
from staff import conversation_views, live, rasa_api, text_edits
from staff.console_auth import Session
from staff.console_context import ConsoleContext
from storage.conversations import TrackerReader

logger = logging.getLogger(__name__)


class _Placeholders(dict):  # type: ignore[type-arg]
    """Fills {clinic_phone} and friends in a canned reply; leaves any other brace as typed."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, values: Dict[str, str]) -> str:
    try:
        return text.format_map(_Placeholders(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace typed by staff: send as typed
        return text


def register(app: Sanic, ctx: ConsoleContext) -> None:
    page, signed_in, accounts = ctx.page, ctx.signed_in, ctx.accounts
    root, tracker_url = ctx.root, ctx.tracker_url
    handoffs = ctx.handoffs
    reader = TrackerReader(tracker_url)  # one engine (and its pool) for every request

    # -- Live hand-off -------------------------------------------------------------------
    def live_housekeeping(session: Session) -> None:
        """Keep this staff member present; give idle colleagues' conversations back; drop abandoned waits."""
        handoffs.seen(session.user.name)
        handoffs.expire_abandoned()
        for name in handoffs.idle_holders():
            live.release_idle(handoffs, name, current_settings())

    def live_page(template: str, session: Session, status: int = 200, **values: Any) -> HTTPResponse:
        return page(
            template,
            session,
            status=status,
            available=handoffs.is_available(session.user.name),
            active="live",
            **values,
        )

    @app.get("/live")
    @signed_in()
    async def live_list(request: Request, session: Session) -> HTTPResponse:
        live_housekeeping(session)
        open_now = [*handoffs.waiting(), *handoffs.taken_by(session.user.name)]
        firsts = {
            c.sender_id: next((m.text for m in c.messages if not m.is_button), "")
            for c in reader.conversations_of([h.sender_id for h in open_now])
        }
        return live_page(
            "live.html",
            session,
            waiting=[{**row, "first": firsts.get(row["sender_id"], "")} for row in live.describe(handoffs.waiting())],
            mine=[
                {**row, "first": firsts.get(row["sender_id"], "")}
                for row in live.describe(handoffs.taken_by(session.user.name))
            ],
            message=request.args.get("message", "")[:200],
        )

    @app.post("/live/availability")
    @signed_in()
    async def live_availability(request: Request, session: Session) -> HTTPResponse:
        available = (request.form or {}).get("available") == "1"
        handoffs.set_available(session.user.name, available)
        if not available:
            live.release_idle(handoffs, session.user.name, current_settings())
        return response.redirect("/live", status=303)

    @app.get("/live/<handoff_id:int>")
    @signed_in()
    async def live_conversation(request: Request, session: Session, handoff_id: int) -> HTTPResponse:
        live_housekeeping(session)
        handoff = handoffs.get(handoff_id)
        if handoff is None:
            return response.text("There is no such hand-off.", status=404)
        settings = current_settings()
        found = reader.conversations(handoff.sender_id)
        conversation = found[0] if found else None
        return live_page(
            "live_conversation.html",
            session,
            handoff=handoff,
            mine=handoff.taken_by == session.user.name and handoff.ended_at is None,
            taken_by=live.display_name(handoff.taken_by) if handoff.taken_by else "",
            waited=live.waited(handoff),
            lines=conversation_views.describe_transcript(conversation, settings) if conversation else [],
            form_values=conversation.form_values if conversation else {},
            canned=[(t.title, t.text) for t in text_edits.list_texts(text_edits.ANSWERS, root)],
            placeholders=clinic_placeholders(settings),
            max_chars=live.MAX_REPLY_CHARS,
            problem=request.args.get("problem", "")[:200],
        )

    @app.post("/live/<handoff_id:int>/<step:str>")
    @signed_in()
    async def live_step(request: Request, session: Session, handoff_id: int, step: str) -> HTTPResponse:
        handoff = handoffs.get(handoff_id)
        if handoff is None or step not in ("take", "reply", "hand-back", "close"):
            return response.text("There is no such hand-off.", status=404)
        settings = current_settings()
        back = f"/live/{handoff_id}"
        try:
            if step == "take":
                live.take_over(handoffs, handoff, session.user.name, settings)
                accounts.audit(session.user.name, "conversation taken over", handoff.sender_id, "waiting", "taken")
            elif handoff.taken_by != session.user.name or handoff.ended_at is not None:
                return response.text("Take the conversation over first.", status=409)
            elif step == "reply":
                text = str((request.form or {}).get("text") or "")
                live.reply(handoff, session.user.name, _fill(text, clinic_placeholders(settings)))
                if request.headers.get("accept") == "application/json":
                    return response.json({"sent": True})
            else:
                outcome = "handed_back" if step == "hand-back" else "closed"
                live.hand_back(handoffs, handoff, settings, outcome)
                accounts.audit(
                    session.user.name, f"conversation {outcome.replace('_', ' ')}", handoff.sender_id, "taken", outcome
                )
                return response.redirect("/live", status=303)
        except live.LiveError as error:
            status = 409 if step == "take" else 400
            if request.headers.get("accept") == "application/json":
                return response.json({"error": str(error)}, status=status)
            return response.redirect(f"{back}?problem={quote(str(error))}", status=303)
        except rasa_api.RasaApiError as error:
            logger.error("live hand-off: %s", error)
            return response.text(
                "The assistant's server can't be reached right now; try again in a moment.", status=503
            )
        return response.redirect(back, status=303)

    @app.get("/api/live")
    @signed_in(json_api=True)
    async def live_status(request: Request, session: Session) -> HTTPResponse:
        live_housekeeping(session)
        return response.json(
            {
                "waiting": len(handoffs.waiting()),
                "mine": [h.id for h in handoffs.taken_by(session.user.name)],
                "available": handoffs.is_available(session.user.name),
            }
        )

    @app.get("/api/live/<handoff_id:int>")
    @signed_in(json_api=True)
    async def live_lines(request: Request, session: Session, handoff_id: int) -> HTTPResponse:
        handoff = handoffs.get(handoff_id)
        if handoff is None:
            return response.json({"error": "no such hand-off"}, status=404)
        found = reader.conversations(handoff.sender_id)
        lines = conversation_views.describe_transcript(found[0], current_settings()) if found else []
        return response.json(
            {
                "state": handoff.state,
                "taken_by": handoff.taken_by or "",
                "red_flag": handoff.red_flag,
                "lines": [
                    {k: line.get(k) for k in ("who", "when", "text", "label", "staff", "timestamp")} for line in lines
                ],
            }
        )
