"""Requests per minute (storage/rate_limits.py) and which limits hold (clinic/limits.py)."""

import asyncio
import socket
import time

import pytest

from clinic.limits import effective_rate_limits
from clinic.settings import RateLimits
from storage.rate_limits import MemoryCounts, RateLimiter, RedisCounts, counts_from_env


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _checks(limiter: RateLimiter, scope: str, who: str, limit: int, times: int):
    return [asyncio.run(limiter.check(scope, who, limit)) for _ in range(times)]


def test_the_request_past_the_limit_is_refused_until_the_minute_ends():
    clock = Clock(60 * 16_000 + 20.0)  # 20 s into a minute
    limiter = RateLimiter(MemoryCounts(clock), clock=clock)
    verdicts = _checks(limiter, "sender", "visitor-1", 3, 5)
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[3].retry_after == 40
    assert asyncio.run(limiter.check("sender", "visitor-2", 3)).allowed  # another visitor: own count
    assert asyncio.run(limiter.check("address", "visitor-1", 3)).allowed  # another scope: own count
    clock.now += 40  # the next minute
    assert asyncio.run(limiter.check("sender", "visitor-1", 3)).allowed


def test_a_limit_of_zero_counts_nothing():
    limiter = RateLimiter(MemoryCounts())
    assert all(v.allowed for v in _checks(limiter, "sender", "v", 0, 500))


def test_keys_hold_a_hash_never_the_visitors_id():
    counts = MemoryCounts()
    asyncio.run(RateLimiter(counts).check("address", "203.0.113.9", 5))
    [key] = counts._counts
    assert "203.0.113.9" not in key and key.startswith("clinic:rate:address:")


def test_memory_stays_bounded_under_many_addresses():
    clock = Clock(0.0)
    counts = MemoryCounts(clock)
    limiter = RateLimiter(counts, clock=clock)
    for number in range(50_001):
        asyncio.run(limiter.check("address", str(number), 10))
    clock.now = 500.0  # every window so far has expired
    asyncio.run(limiter.check("address", "one more", 10))
    assert len(counts._counts) <= 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_redis_lets_requests_through_and_is_not_asked_again_at_once():
    counts = RedisCounts(f"redis://127.0.0.1:{_closed_port()}/0")
    limiter = RateLimiter(counts)
    assert asyncio.run(limiter.check("sender", "v", 1)).allowed
    started = time.monotonic()
    assert all(v.allowed for v in _checks(limiter, "sender", "v", 1, 50))
    assert time.monotonic() - started < 1.0  # skipped while Redis is down: no time-out per message


def test_counts_live_in_redis_when_redis_url_is_set():
    assert isinstance(counts_from_env({"REDIS_URL": "redis://127.0.0.1:6379/0"}), RedisCounts)
    assert isinstance(counts_from_env({}), MemoryCounts)


def test_environment_overrides_the_settings_file_and_zero_turns_a_limit_off():
    configured = RateLimits(per_visitor_per_minute=30, per_address_per_minute=120)
    assert effective_rate_limits(configured, {}) == configured
    limits = effective_rate_limits(configured, {"RATE_LIMIT_PER_SENDER": "5", "RATE_LIMIT_PER_CLIENT": "0"})
    assert (limits.per_visitor_per_minute, limits.per_address_per_minute) == (5, 0)
    with pytest.raises(ValueError, match="RATE_LIMIT_PER_CLIENT must be a whole number"):
        effective_rate_limits(configured, {"RATE_LIMIT_PER_CLIENT": "lots"})


def test_counts_go_where_the_lock_store_is_when_only_its_variables_are_set():
    counts = counts_from_env({"REDIS_HOST": "redis", "REDIS_PORT": "6380", "REDIS_DB": "2", "REDIS_PASSWORD": "p@ss"})
    assert isinstance(counts, RedisCounts)
    kwargs = counts._redis.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("redis", 6380, 2, "p@ss")
