"""`python -m bench.cluster` (make bench-cluster; part of make bench): past one process.

Measured side by side in one run, on this machine, loopback only, every load bounded:
1. One visitor's 300 messages in a row, on one server: median latency of messages 1-20,
   50-70, 130-150 and 280-300, with the tracker window off (Rasa's way: the whole session
   loaded and featurised each message) and on (channels/tracker_store.py). Target: the 300th
   within 1.5x of the 10th.
2. `make cluster` with 1 and with 2 Rasa servers of this project, and 1 server of
   `rasa init`'s config: saturation throughput through nginx (closed loop, the best of
   several concurrency levels) and p50/p95 at 20 messages/s open loop.
Writes bench/results/cluster.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import requests

from bench.load import closed_loop, open_loop
from bench.rasa_systems import rasa_init_config, train_full
from clinic.paths import REPO_ROOT
from ops.cluster_handle import new_cluster_folder, running_cluster
from ops.servers import BotServers, ServerConfig
from ops.training import current_model

RESULTS = REPO_ROOT / "bench" / "results" / "cluster.json"
QUESTIONS = [
    "what is micro-needling?",
    "does it hurt?",
    "how long does the treatment take?",
    "how should I prepare?",
    "what are the side effects?",
    "who should not have it?",
    "what can it treat?",
    "how long is the recovery?",
]
RANGES = ((1, 20), (50, 70), (130, 150), (280, 300))
TURNS_PER_VISITOR = 6
P95_TARGET_MS = 100.0
# rasa init's config, trained once on this project's data and kept (var/ is never committed).
DEFAULT_MODEL_CACHE = REPO_ROOT / "var" / "bench" / "rasa-init.tar.gz"


def say(message: str) -> None:
    print(f"[bench.cluster] {message}", flush=True)


# ---- 1. one long conversation -----------------------------------------------------------------
def long_conversation(model: Path, work: Path, window: str, messages: int) -> Dict[str, Any]:
    config = ServerConfig.throwaway(model, work, {"TRACKER_WINDOW_EVENTS": window})
    latencies: List[float] = []
    with BotServers(config):
        url = f"{config.rasa_url}/webhooks/rest/webhook"
        with requests.Session() as session:
            for number in range(messages):
                started = time.perf_counter()
                reply = session.post(url, json={"sender": "long", "message": QUESTIONS[number % 8]}, timeout=60)
                reply.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
    medians = {f"{a}-{b}": round(statistics.median(latencies[a - 1 : b]), 1) for a, b in RANGES if b <= len(latencies)}
    # The 10th and the 300th as medians of their neighbourhoods: one message is one noisy sample.
    tenth = statistics.median(latencies[4:15])
    last = statistics.median(latencies[-11:])
    return {"window": int(window), "medians_ms": medians, "ratio_last_to_10th": round(last / tenth, 2)}


# ---- 2. throughput through the load balancer ---------------------------------------------------
def _requests(url: str, prefix: str) -> Callable[[int, int], Tuple[str, Dict[str, Any]]]:
    def make(conversation: int, turn: int) -> Tuple[str, Dict[str, Any]]:
        visitor = f"{prefix}-{conversation}-{turn // TURNS_PER_VISITOR}"  # visitors ask a handful each
        return url, {"sender": visitor, "message": QUESTIONS[(conversation * 3 + turn) % len(QUESTIONS)]}

    return make


def measure_cluster(
    name: str, instances: int, model: Path, levels: Sequence[int], seconds: float, rates: Sequence[float]
) -> Dict[str, Any]:
    work = new_cluster_folder()
    env = {"CLUSTER_MODEL": str(model)}
    try:
        say(f"{name}: starting make cluster with {instances} Rasa server(s)")
        with running_cluster(work, env, instances=instances) as cluster:
            url = f"{cluster.url}/webhooks/rest/webhook"
            asyncio.run(closed_loop(_requests(url, f"{name}-warm"), 4, 40, 30))
            saturation: List[Dict[str, Any]] = []
            for level in levels:
                run = asyncio.run(closed_loop(_requests(url, f"{name}-c{level}"), level, 100_000, seconds))
                saturation.append(
                    {"concurrency": level, "msg_per_s": round(run.messages / run.seconds, 1), "errors": run.errors}
                )
                say(f"{name}: {level} at once -> {saturation[-1]['msg_per_s']} msg/s ({run.errors} errors)")
            opened: List[Dict[str, Any]] = []
            for rate in rates:  # open loop: latency counts from the scheduled send
                total = int(rate * seconds)
                run = asyncio.run(
                    open_loop(
                        _requests(url, f"{name}-open{rate:.0f}"), rate, total, seconds * 3, conversations=total // 6 + 1
                    )
                )
                opened.append({"rate": rate, **run.summary()})
                latest = opened[-1]
                say(f"{name}: {rate:.0f} msg/s open loop -> p50 {latest['p50_ms']} ms, p95 {latest['p95_ms']} ms")
            under_100 = [o["rate"] for o in opened if o["errors"] == 0 and (o["p95_ms"] or 1e9) <= P95_TARGET_MS]
            return {
                "instances": instances,
                "saturation": saturation,
                "best_msg_per_s": max(s["msg_per_s"] for s in saturation),
                "open_loop": opened[0],
                "open_loops": opened,
                "max_rate_p95_under_100ms": max(under_100) if under_100 else None,
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _default_config_model(work: Path) -> Path:
    """rasa init's config trained on this project's data; kept in var/bench/ while the data and
    domain are unchanged (the fingerprint is the project's own model's name)."""
    stamp = DEFAULT_MODEL_CACHE.with_suffix(".for")
    ours = current_model(REPO_ROOT)
    if DEFAULT_MODEL_CACHE.exists() and stamp.exists() and ours and stamp.read_text() == ours.name:
        return DEFAULT_MODEL_CACHE
    say("training rasa init's config on this project's data (for the comparison; kept in var/bench/)")
    model, _ = train_full(rasa_init_config(), work / "models", "rasa-init", work / "train.log", say)
    DEFAULT_MODEL_CACHE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(model, DEFAULT_MODEL_CACHE)
    stamp.write_text(ours.name if ours else "")
    return DEFAULT_MODEL_CACHE


def table(results: Dict[str, Any]) -> str:
    lines = ["One visitor's 300 messages in a row (median ms per range; one server, SQLite):"]
    for run in results["long_conversation"]:
        ranges = "  ".join(f"{k}: {v:>6}" for k, v in run["medians_ms"].items())
        label = "window off (Rasa)" if run["window"] == 0 else f"window {run['window']} events"
        lines.append(f"  {label:<20} {ranges}   300th/10th {run['ratio_last_to_10th']}x")
    lines.append("Through nginx (make cluster), messages/s at saturation and at 20 msg/s open loop:")
    base = results["systems"].get("project-1", {}).get("best_msg_per_s")
    default = results["systems"].get("rasa-init-1", {}).get("best_msg_per_s")
    for name, system in results["systems"].items():
        opened = system["open_loop"]
        vs = f"  {system['best_msg_per_s'] / base:.2f}x one server" if base else ""
        vs += f", {system['best_msg_per_s'] / default:.2f}x rasa init's" if default else ""
        lines.append(
            f"  {name:<12} {system['best_msg_per_s']:>6} msg/s   p50 {opened['p50_ms']} ms  "
            f"p95 {opened['p95_ms']} ms  errors {opened['errors']}{vs}"
        )
        for run in system.get("open_loops", [])[1:]:
            lines.append(f"  {'':<12} at {run['rate']:.0f} msg/s: p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms")
        lines.append(f"  {'':<12} highest rate measured with p95 <= 100 ms: {system.get('max_rate_p95_under_100ms')}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small runs: checks the code, not the figures")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--default-model", type=Path, help="a model of rasa init's config (else trained now)")
    args = parser.parse_args(argv)
    model = current_model(REPO_ROOT)
    if model is None:
        sys.exit("No current model: run `make train` first.")
    messages, seconds, levels = (40, 3.0, (2, 4)) if args.quick else (300, 20.0, (4, 8, 16, 32))
    rates = (20.0,) if args.quick else (20.0, 40.0, 60.0, 80.0)
    work = new_cluster_folder()
    results: Dict[str, Any] = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quick": args.quick}
    try:
        results["long_conversation"] = []
        for window in ("0", os.environ.get("TRACKER_WINDOW_EVENTS", "60")):
            say(f"one visitor, {messages} messages in a row, tracker window {window}")
            run = long_conversation(model, work / f"long-{window}", window, messages)
            say(f"  {run['medians_ms']}  300th/10th {run['ratio_last_to_10th']}x")
            results["long_conversation"].append(run)
        default_model = args.default_model
        if default_model is None and not args.quick:
            default_model = _default_config_model(work)
        systems = [("project-1", 1, model), ("project-2", 2, model)]
        if default_model is not None:
            systems.append(("rasa-init-1", 1, default_model))
        results["systems"] = {
            name: measure_cluster(name, instances, path, levels, seconds, rates) for name, instances, path in systems
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
