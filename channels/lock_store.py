"""Rasa's Redis lock store, with its two gaps for several servers closed.

Rasa's RedisLockStore keeps each conversation's ticket queue as one JSON value and changes it
by GET, modify, SET. Measured here with two Rasa servers (tests/e2e/test_cluster.py, and the
README): when one visitor's two messages reach the two servers in the same instant, both
read the same queue, both take the first ticket, and the tracker ends up interleaved or with
a turn missing in about 46% of such pairs (23 of 50). Rasa fixed this with INCR tickets in
PR #11256 and reverted it (#11428); the fix ships only in Rasa Pro. Here every change to a
queue is a Redis transaction (WATCH/MULTI, retried on a clash), so two servers can't both
take the same place in line.

The second gap: a waiting message's own ticket expires after the lock lifetime, like the
ticket of a server that was killed while holding the lock. When both have expired the queue
is empty, nobody is "now serving" the waiter's number, and it waits forever (found here:
kill -9 a server mid-message, and the visitor's retry hung until the load balancer gave up).
A waiter here keeps its own ticket alive while it waits, so only a dead holder's ticket runs
out, and it polls every 50 ms instead of every second.

endpoints:  lock_store:
              type: channels.lock_store.AtomicRedisLockStore
              url / port / db / password / key_prefix: as for Rasa's `type: redis`
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import Any, Callable, Optional, Tuple, TypeVar

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")
POLL_SECONDS = 0.05


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _transact(
        self, conversation_id: str, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]
    ) -> Result:
        """Read the queue, change it, write it back (None deletes it), as one transaction."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the queue meanwhile: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._transact(conversation_id, take)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
            self._keep_waiting(conversation_id, ticket)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def _keep_waiting(self, conversation_id: str, ticket: int, lifetime: float = LOCK_LIFETIME) -> None:
        """Drop expired tickets, but keep this waiter's own one alive (re-queued if it had expired)."""

        def refresh(lock: Optional[TicketLock]) -> Tuple[TicketLock, None]:
            lock = lock or TicketLock(conversation_id)
            mine = Ticket(ticket, time.time() + lifetime)
            others = [t for t in lock.tickets if t.number != ticket and not t.has_expired()]
            lock.tickets = deque(sorted([*others, mine], key=lambda t: t.number))
            return lock, None

        self._transact(conversation_id, refresh)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Leave the queue; the last one out removes it."""

        def leave(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.tickets = deque(t for t in lock.tickets if t.number != ticket_number and not t.has_expired())
            return (lock if lock.tickets else None), None

        self._transact(conversation_id, leave)
