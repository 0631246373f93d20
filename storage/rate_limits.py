"""Requests per minute, counted where every server sees the same count.

A fixed one-minute window per key: simple, cheap (one Redis round trip) and, at the limits
the clinic sets (30 a minute per visitor), a burst across a window's edge at most doubles
what gets through for one minute, which is harmless. With Redis configured (REDIS_URL, or
the lock store's REDIS_HOST...: `make cluster`, compose, Kubernetes) the counts live in
Redis, so a visitor whose messages nginx spreads over several Rasa servers is counted once;
without it (`make run`, one Rasa server) they live in this process. Keys hold a hash of
the visitor's id or address, never the id itself, and expire with their window.

When Redis can't be reached the request is let through (a limit must not silence the
chat) and Redis is not asked again for a few seconds, so an outage costs no latency.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Protocol, Tuple
from urllib.parse import quote

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
REDIS_URL_ENV_VAR = "REDIS_URL"
_REDIS_RETRY_AFTER_FAILURE = 5.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the current window ends (when refused)
    count: int = 0


class Counts(Protocol):
    async def add_one(self, key: str, expire_seconds: int) -> Optional[int]:
        """The key's count after adding one; None when the count could not be kept."""


class MemoryCounts:
    """Counts in this process (one server)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._counts: Dict[str, Tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    async def add_one(self, key: str, expire_seconds: int) -> Optional[int]:
        now = self._clock()
        with self._lock:
            if len(self._counts) > 50_000:  # drop expired keys now and then; bounded memory
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, expires = self._counts.get(key, (0, now + expire_seconds))
            if expires <= now:
                count, expires = 0, now + expire_seconds
            self._counts[key] = (count + 1, expires)
            return count + 1


class RedisCounts:
    """Counts in Redis, shared by every server (INCR and EXPIRE in one transaction)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        from redis import asyncio as redis_asyncio  # Rasa's own dependency

        self._redis: Any = redis_asyncio.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._clock = clock
        self._skip_until = 0.0

    async def add_one(self, key: str, expire_seconds: int) -> Optional[int]:
        if self._clock() < self._skip_until:
            return None
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, expire_seconds)
                count, _ = await pipe.execute()
            return int(count)
        except Exception as error:  # a limit must never silence the chat
            logger.error(
                "Rate-limit counts unavailable (%s); requests are let through meanwhile.", type(error).__name__
            )
            self._skip_until = self._clock() + _REDIS_RETRY_AFTER_FAILURE
            return None


def counts_from_env(environ: Optional[Mapping[str, str]] = None) -> Counts:
    """Redis at REDIS_URL, or where Rasa's lock store is (REDIS_HOST, _PORT, _DB, _PASSWORD, as
    deploy/ and `make cluster` set them); else this process."""
    env = os.environ if environ is None else environ
    url = env.get(REDIS_URL_ENV_VAR, "")
    if not url and env.get("REDIS_HOST"):
        password = quote(env.get("REDIS_PASSWORD", ""), safe="")
        url = f"redis://:{password}@{env['REDIS_HOST']}:{env.get('REDIS_PORT') or 6379}/{env.get('REDIS_DB') or 0}"
    return RedisCounts(url) if url else MemoryCounts()


class RateLimiter:
    def __init__(self, counts: Counts, clock: Callable[[], float] = time.time, prefix: str = "clinic:rate") -> None:
        self.counts = counts
        self.clock = clock
        self.prefix = prefix

    async def check(self, scope: str, who: str, limit: int) -> Verdict:
        """Count one request by `who` in `scope`; refused past `limit` a minute (0: no limit)."""
        if limit <= 0:
            return Verdict(True, 0)
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        count = await self.counts.add_one(f"{self.prefix}:{scope}:{digest}:{window}", 2 * WINDOW_SECONDS)
        retry_after = max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))
        if count is None:
            return Verdict(True, 0)
        return Verdict(count <= limit, retry_after, count)
