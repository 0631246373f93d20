"""The console's Privacy page, for admins: how long personal data is kept, and forgetting a person.

The same function as `python -m staff forget`: the person's booking requests and every
conversation in which their phone appeared, with the counts (never the phone) in the audit log.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.settings import current_settings
from staff.console_auth import Session
from staff.console_context import ConsoleContext
from storage.erasure import ForgetError, forget_person
from storage.retention import last_purge

ONLY_ADMINS = "Only admins can delete a person's data."
COUNTS = ("conversations", "events", "requests")


def register(app: Sanic, ctx: ConsoleContext) -> None:
    page, signed_in = ctx.page, ctx.signed_in

    def privacy_page(
        session: Session, status: int = 200, error: str = "", done: Optional[Dict[str, str]] = None, **typed: str
    ) -> HTTPResponse:
        settings = current_settings()
        purged = last_purge(ctx.bookings.engine)
        values: Dict[str, Any] = {"phone": "", "reference": "", **typed}
        return page(
            "privacy.html",
            session,
            status=status,
            retention=settings.retention,
            last_purge=f"{purged.astimezone(settings.zone):%d %b %Y %H:%M}" if purged else "",
            error=error,
            done=done,
            values=values,
            active="privacy",
        )

    @app.get("/privacy")
    @signed_in(admins_only=ONLY_ADMINS)
    async def privacy(request: Request, session: Session) -> HTTPResponse:
        done = {key: str(request.args.get(key)) for key in COUNTS if str(request.args.get(key) or "").isdigit()}
        return privacy_page(session, done=done if len(done) == len(COUNTS) else None)

    @app.post("/privacy/forget")
    @signed_in(admins_only=ONLY_ADMINS)
    async def forget(request: Request, session: Session) -> HTTPResponse:
        form = request.form or {}
        phone, reference = str(form.get("phone") or "").strip()[:64], str(form.get("reference") or "").strip()[:32]
        if form.get("confirm") != "yes":
            error = "Nothing was deleted: tick the box to confirm, then press Delete again."
            return privacy_page(session, 400, error, phone=phone, reference=reference)
        try:
            erased = forget_person(
                current_settings().phone_region,
                phone=phone or None,
                reference=reference or None,
                tracker=ctx.tracker_url,
                clinic=ctx.bookings.engine,
                actor=session.user.name,
            )
        except ForgetError as error:
            return privacy_page(session, 400, f"Nothing was deleted: {error}.", phone=phone, reference=reference)
        counts = f"conversations={erased.conversations}&events={erased.events}&requests={erased.requests}"
        return response.redirect(f"/privacy?{counts}", status=303)
