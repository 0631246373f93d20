"""Console sessions and CSRF tokens: server-side, signed, ended by sign-out or 8 idle hours."""

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from staff.accounts import Accounts
from staff.console_auth import SESSION_IDLE, ConsoleAuth
from storage.staff_accounts import AccountStore


class Clock:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def setup(tmp_path):
    clock = Clock()
    accounts = Accounts(
        AccountStore(f"sqlite:///{tmp_path / 'c.db'}"),
        clock=clock,
        hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )
    user = accounts.add("maria", "correct horse battery")
    return ConsoleAuth(accounts, "test-secret"), accounts, user, clock


def test_a_session_lives_until_8_idle_hours_pass(setup):
    auth, _, user, clock = setup
    cookie = auth.start(user)
    clock.now += SESSION_IDLE - timedelta(minutes=1)
    assert auth.session(cookie).user.name == "maria"  # and this request resets the idle time
    clock.now += SESSION_IDLE - timedelta(minutes=1)
    assert auth.session(cookie) is not None
    clock.now += SESSION_IDLE + timedelta(seconds=1)
    assert auth.session(cookie) is None
    assert auth.session(cookie) is None  # ended, not just refused once


def test_sign_out_ends_the_session_on_the_server(setup):
    auth, _, user, _ = setup
    cookie = auth.start(user)
    auth.end(auth.session(cookie))
    assert auth.session(cookie) is None


def test_forged_or_foreign_cookies_give_no_session(setup):
    auth, accounts, user, _ = setup
    cookie = auth.start(user)
    assert auth.session(cookie[:-2] + "xx") is None
    assert auth.session(ConsoleAuth(accounts, "another-secret").start(user)) is None
    assert auth.session("") is None and auth.session(None) is None


def test_a_disabled_account_loses_its_sessions(setup):
    auth, accounts, user, _ = setup
    cookie = auth.start(user)
    accounts.disable("maria")
    assert auth.session(cookie) is None


def test_csrf_tokens_belong_to_their_session_and_form(setup):
    auth, _, user, _ = setup
    one, two = auth.session(auth.start(user)), auth.session(auth.start(user))
    assert auth.csrf_ok(one, one.csrf_token) and not auth.csrf_ok(one, two.csrf_token)
    assert not auth.csrf_ok(one, None) and not auth.csrf_ok(one, "")
    cookie, token = auth.login_form()
    other_cookie, other_token = auth.login_form()
    assert auth.login_form_ok(cookie, token)
    assert not auth.login_form_ok(cookie, other_token) and not auth.login_form_ok(None, token)
    assert not auth.login_form_ok(cookie, "forged")
