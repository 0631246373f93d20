"""Sessions and CSRF tokens for the staff console, with no web framework in them.

Sessions are kept on the server (`staff_sessions`), so signing out ends one for good; the
cookie carries a random token signed with itsdangerous, and only the token's SHA-256 is
stored. A session ends after SESSION_IDLE without a request. Every state-changing request
must carry the session's CSRF token; the sign-in form, which comes before any session,
carries a token tied to a signed cookie sent with the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional, Tuple

from itsdangerous import BadSignature, URLSafeSerializer

from staff.accounts import Accounts
from storage.staff_accounts import StaffUser

SESSION_IDLE = timedelta(hours=8)
SESSION_COOKIE = "staff_session"
LOGIN_COOKIE = "staff_login"  # ties the sign-in form's CSRF token to this browser


@dataclass(frozen=True)
class Session:
    user: StaffUser
    csrf_token: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleAuth:
    def __init__(self, accounts: Accounts, secret: str) -> None:
        self.accounts = accounts
        self._cookies = URLSafeSerializer(secret, salt="staff-console-cookie")
        self._login_tokens = URLSafeSerializer(secret, salt="staff-console-login-csrf")

    # -- the sign-in form ------------------------------------------------------------------
    def login_form(self) -> Tuple[str, str]:
        """(cookie value, the form's csrf_token) for a fresh sign-in form."""
        nonce = secrets.token_urlsafe(24)
        return self._cookies.dumps(nonce), self._login_tokens.dumps(nonce)

    def login_form_ok(self, cookie: Optional[str], csrf_token: Optional[str]) -> bool:
        try:
            return bool(cookie and csrf_token) and hmac.compare_digest(
                str(self._cookies.loads(cookie or "")), str(self._login_tokens.loads(csrf_token or ""))
            )
        except BadSignature:
            return False

    # -- sessions ------------------------------------------------------------------------
    def start(self, user: StaffUser) -> str:
        """A new session for `user`; returns the cookie value."""
        token = secrets.token_urlsafe(32)
        self.accounts.store.add_session(_hash(token), user.name, secrets.token_urlsafe(32), self.accounts.clock())
        return self._cookies.dumps(token)

    def session(self, cookie: Optional[str]) -> Optional[Session]:
        """The live session behind a cookie, or None (missing, forged, ended or idle too long)."""
        if not cookie:
            return None
        try:
            token = str(self._cookies.loads(cookie))
        except BadSignature:
            return None
        stored = self.accounts.store.session(_hash(token))
        now = self.accounts.clock()
        if stored is None:
            return None
        if now - stored.last_seen > SESSION_IDLE:
            self.accounts.store.end_session(stored.token_hash)
            return None
        user = self.accounts.store.get(stored.user_name)
        if user is None or user.disabled:
            return None
        self.accounts.store.touch_session(stored.token_hash, now)
        return Session(user, stored.csrf_token, stored.token_hash)

    def end(self, session: Session) -> None:
        self.accounts.store.end_session(session.token_hash)

    @staticmethod
    def csrf_ok(session: Session, given: Optional[str]) -> bool:
        return bool(given) and hmac.compare_digest(session.csrf_token, given or "")
