"""Serve a model the way `make run` does and measure readiness, memory and latency."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bench import safety
from bench.load import LevelResult, closed_loop, open_loop
from clinic.settings import load_settings
from ops.servers import BotServers, ServerConfig

TURNS_PER_VISITOR = 6


@dataclass
class LoadPlan:
    closed_levels: Sequence[int] = (1, 5, 20)
    open_rates: Sequence[float] = (5, 10, 20)
    closed_messages: Dict[int, int] = field(default_factory=lambda: {1: 150, 5: 300, 20: 600})
    open_seconds: float = 10.0
    max_seconds: float = 30.0
    warmup_messages: int = 30


def rss_mb(pid: int) -> float:
    """Resident memory of a process and everything it started, in MB (from /proc)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pgid = int(stat.rsplit(")", 1)[1].split()[2])
            if int(entry.name) != pid and pgid != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return round(total_kb / 1024, 1)


def _post(url: str, body: Dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        reply.read()


def measure_served(
    model: Path,
    work: Path,
    messages: Sequence[str],
    plan: LoadPlan,
    progress: Callable[[str], None],
    safety_sets: Optional[Mapping[str, Sequence[safety.SafetyCase]]] = None,
) -> Dict[str, object]:
    """Start both servers for `model`, warm up, then run every load level (and each set of
    safety reports, each report as a first message, before the load); servers stop after.
    Each set's result is kept under its name ("safety" for the benchmark's own set)."""
    config = ServerConfig.throwaway(model, work)  # never the repo's own conversations
    servers = BotServers(config)
    started = time.monotonic()
    servers.start()
    ready_s = time.monotonic() - started
    progress(f"  ready in {ready_s:.1f} s; warming up")
    webhook = f"{config.rasa_url}/webhooks/rest/webhook"
    parse = f"{config.rasa_url}/model/parse?token={config.auth_token}"
    run_id = secrets.token_hex(3)
    try:
        for index in range(plan.warmup_messages):
            _post(webhook, {"sender": f"warmup-{run_id}-{index % 3}", "message": messages[index % len(messages)]})
            _post(parse, {"text": messages[index % len(messages)]})
        safety_results: Dict[str, Dict[str, Any]] = {}
        for name, cases in (safety_sets or {}).items():
            settings = load_settings()
            replies = safety.ask_first_messages(webhook, cases, f"{run_id}-{name}")
            result = safety.score(cases, replies, settings.emergency_number, settings.phone)
            safety_results[name] = result
            progress(
                f"  {name}: red-flag recall {result['red_flag_recall']:.1%}, "
                f"ordinary worries right {result['ordinary_right']:.1%}, "
                f"specificity {result['specificity']:.1%}"
            )
        memory = {
            "rasa_rss_mb": rss_mb(servers.pid("rasa")),
            "actions_rss_mb": rss_mb(servers.pid("actions")),
        }
        levels: List[Dict[str, object]] = []
        for endpoint, url in (("webhook", webhook), ("parse", parse)):
            runs = [("closed", c) for c in plan.closed_levels] + [("open", r) for r in plan.open_rates]
            for number, (mode, level) in enumerate(runs):
                make_request = _requests(endpoint, url, messages, f"bench-{run_id}-{endpoint}-{number}")
                if mode == "closed":
                    run = closed_loop(
                        make_request, int(level), plan.closed_messages.get(int(level), 200), plan.max_seconds
                    )
                else:
                    messages_at_level = int(level * plan.open_seconds)
                    visitors = max(1, -(-messages_at_level // TURNS_PER_VISITOR))  # each asks ~6 questions
                    run = open_loop(make_request, level, messages_at_level, plan.max_seconds, conversations=visitors)
                levels.append(_record(endpoint, asyncio.run(run), progress))
                servers.check_alive()
        memory_after = {
            "rasa_rss_mb_after_load": rss_mb(servers.pid("rasa")),
            "actions_rss_mb_after_load": rss_mb(servers.pid("actions")),
        }
    finally:
        servers.stop()
    served: Dict[str, object] = {"ready_s": round(ready_s, 1), **memory, **memory_after, "levels": levels}
    served.update(safety_results)
    return served


def _requests(
    endpoint: str, url: str, messages: Sequence[str], sender_prefix: str
) -> Callable[[int, int], Tuple[str, Dict[str, Any]]]:
    """Conversation c's turn t: a held-out visitor message, each level with new senders.

    A visitor asks a handful of questions, not hundreds: every TURNS_PER_VISITOR messages a
    new visitor takes the slot. (One endless conversation would measure how Rasa replays a
    tracker of thousands of events, which no visitor produces.)
    """

    def make_request(conversation: int, turn: int) -> Tuple[str, Dict[str, Any]]:
        text = messages[(conversation * 7 + turn) % len(messages)]
        if endpoint == "parse":
            return url, {"text": text}
        visitor = f"{sender_prefix}-{conversation}-{turn // TURNS_PER_VISITOR}"
        return url, {"sender": visitor, "message": text}

    return make_request


def _record(endpoint: str, result: LevelResult, progress: Callable[[str], None]) -> Dict[str, object]:
    summary = {"endpoint": endpoint, **result.summary()}
    unit = "conversations" if result.mode == "closed" else "msg/s"
    progress(
        f"  {endpoint:7} {result.mode:6} {result.level:>4g} {unit:13} {summary['messages']:>4} msgs "
        f"p50 {summary['p50_ms']} ms  p95 {summary['p95_ms']} ms  p99 {summary['p99_ms']} ms  "
        f"{summary['throughput_msg_s']} msg/s  errors {summary['errors']}"
    )
    return summary
