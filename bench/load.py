"""Closed-loop and open-loop HTTP load on loopback, with latency percentiles.

Closed loop: N conversations, each sends its next message as soon as the reply arrives;
the message rate it reaches at saturation is the throughput. Open loop: messages start
at a fixed rate whatever the replies do; latency counts from the scheduled start, so a
server that falls behind shows it (no coordinated omission). Every level is bounded both
in messages and in seconds, and every error is counted.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

import aiohttp

# A request to make: (url, JSON body) for message number i of conversation c.
RequestFactory = Callable[[int, int], "tuple[str, Dict[str, Any]]"]


@dataclass
class LevelResult:
    mode: str  # "closed" or "open"
    level: float  # concurrent conversations, or messages per second
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms) + self.errors

    def percentile(self, q: float) -> Optional[float]:
        return percentile(self.latencies_ms, q)

    def summary(self) -> Dict[str, Any]:
        return {
            "mode": self.mode,
            "level": self.level,
            "messages": self.messages,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "throughput_msg_s": round(len(self.latencies_ms) / self.seconds, 2) if self.seconds else None,
            "p50_ms": _round(self.percentile(50)),
            "p95_ms": _round(self.percentile(95)),
            "p99_ms": _round(self.percentile(99)),
        }


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Linear-interpolated percentile (numpy's default method); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def _send(session: aiohttp.ClientSession, url: str, body: Dict[str, Any], timeout: float) -> bool:
    try:
        async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as reply:
            await reply.read()
            return reply.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def closed_loop(
    make_request: RequestFactory, conversations: int, max_messages: int, max_seconds: float, timeout: float = 30.0
) -> LevelResult:
    result = LevelResult("closed", conversations)
    counter = itertools.count()
    started = time.perf_counter()
    deadline = started + max_seconds

    async def conversation(session: aiohttp.ClientSession, number: int) -> None:
        for turn in itertools.count():
            if next(counter) >= max_messages or time.perf_counter() >= deadline:
                return
            url, body = make_request(number, turn)
            sent = time.perf_counter()
            ok = await _send(session, url, body, timeout)
            if ok:
                result.latencies_ms.append((time.perf_counter() - sent) * 1000)
            else:
                result.errors += 1

    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(conversation(session, n) for n in range(conversations)))
    result.seconds = time.perf_counter() - started
    return result


async def open_loop(
    make_request: RequestFactory,
    rate: float,
    max_messages: int,
    max_seconds: float,
    conversations: int = 50,
    timeout: float = 30.0,
) -> LevelResult:
    """`rate` messages per second at fixed intervals, spread over `conversations` senders."""
    result = LevelResult("open", rate)
    total = min(max_messages, int(rate * max_seconds))
    interval = 1.0 / rate
    turns = [0] * conversations

    async def one(session: aiohttp.ClientSession, scheduled: float, number: int) -> None:
        conversation = number % conversations
        url, body = make_request(conversation, turns[conversation])
        turns[conversation] += 1
        ok = await _send(session, url, body, timeout)
        if ok:
            result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
        else:
            result.errors += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = []
        for number in range(total):
            scheduled = started + number * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(session, scheduled, number)))
        await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - started
    return result
