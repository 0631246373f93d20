"""`python -m bench.handoff` (make bench-handoff): live hand-off speed with 20 visitors talking to staff.

Starts the real servers (Rasa, actions) on loopback with SQLite stores in a temporary folder,
puts `--visitors` conversations in the hand-off queue and has a staff member take each over
(the console's own functions: staff.live). Then, for `--seconds`:
- each visitor polls /webhooks/rest/updates every `--poll` seconds, as the widget does;
- staff send a line to each conversation every few seconds: staff -> visitor latency is from
  the send to the visitor's poll that shows it;
- each visitor sends a message every few seconds, and a console-side poller per conversation
  reads it the way the console's Live page does (storage.conversations, every `--poll` s):
  visitor -> staff latency is from the webhook's answer to the poll that shows it.
Before and during the load, another visitor asks FAQ questions one after the other: the
assistant's latency for them must not rise by more than 10%. Targets: both p95 <= 2 s.
Writes bench/results/handoff.json; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests
import yaml

from bench.load import percentile
from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from ops.servers import BotServers, ServerConfig
from ops.training import current_model

RESULTS = REPO_ROOT / "bench" / "results" / "handoff.json"
TARGET_P95_S = 2.0
MAX_SLOWDOWN = 0.10
FAQ_SAMPLES = 80
MESSAGE_EVERY_S = 6.0  # each visitor, and the staff member to each visitor, sends a line this often
FAQ = ["what is micro-needling?", "how long does it take?", "does it hurt?", "what does it treat?"]


def _faq_latencies(rasa_url: str, count: int) -> List[float]:
    sender = f"bench-other-{uuid.uuid4().hex[:8]}"
    found = []
    for i in range(count):
        started = time.perf_counter()
        reply = requests.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": FAQ[i % len(FAQ)]}, timeout=30
        )
        reply.raise_for_status()
        found.append(time.perf_counter() - started)
    return found


def run(visitors: int, seconds: float, poll: float, say: Any = print) -> Dict[str, Any]:
    model = current_model(REPO_ROOT)
    if model is None:
        raise SystemExit("error: no current model; run `make train` first")
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    settings = yaml.safe_load((REPO_ROOT / "clinic.yml").read_text())
    settings["opening_hours"] = {day: "00:00-24:00" for day in settings["opening_hours"]}  # open all day, every day
    (work / "clinic.yml").write_text(yaml.safe_dump(settings))
    clinic_url, tracker_url = f"sqlite:///{work / 'clinic.db'}", f"sqlite:///{work / 'tracker.db'}"
    config = ServerConfig.throwaway(
        model, work, {"CLINIC_SETTINGS": str(work / "clinic.yml"), "CLINIC_DB_URL": clinic_url}
    )
    token = config.auth_token
    from staff import live
    from storage.conversations import TrackerReader
    from storage.handoffs import HandoffStore

    try:
        with BotServers(config) as servers, _environment(
            CLINIC_SETTINGS=str(work / "clinic.yml"),
            CLINIC_DB_URL=clinic_url,
            TRACKER_DB_URL=tracker_url,
            RASA_URL=servers.config.rasa_url,
            RASA_AUTH_TOKEN=token,
        ):
            rasa = servers.config.rasa_url
            say(f"Servers up; {visitors} visitors, {seconds:.0f} s of load, polling every {poll} s")
            _faq_latencies(rasa, 5)  # warm-up
            before = _faq_latencies(rasa, FAQ_SAMPLES)
            store, reader, clinic = HandoffStore(clinic_url), TrackerReader(tracker_url), load_settings()
            store.set_available("bench", True)
            senders = [f"web-bench-{i:02d}-{uuid.uuid4().hex[:8]}" for i in range(visitors)]
            for sender in senders:
                replies = requests.post(
                    f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": "/request_human"}, timeout=30
                ).json()
                assert any((r.get("custom") or {}).get("handoff") == "waiting" for r in replies), replies
            handoffs = {h.sender_id: h for h in store.waiting()}
            for sender in senders:
                live.take_over(store, handoffs[sender], "bench", clinic)
                store.seen("bench")
            handoffs = {h.sender_id: h for h in store.taken_by("bench")}

            stop = threading.Event()
            talking = threading.Event()  # off: visitors only poll (the polling's own cost); on: they chat
            sent_by_staff: Dict[str, float] = {}
            staff_to_visitor: List[float] = []
            sent_by_visitor: Dict[str, float] = {}
            visitor_to_staff: List[float] = []
            poll_times: List[float] = []
            lock = threading.Lock()

            def visitor(sender: str) -> None:
                cursor = 0.0
                next_message = time.monotonic() + poll * 2
                while not stop.is_set():
                    started = time.perf_counter()
                    news = requests.get(
                        f"{rasa}/webhooks/rest/updates", params={"sender": sender, "since": str(cursor)}, timeout=30
                    ).json()
                    took = time.perf_counter() - started
                    now = time.monotonic()
                    with lock:
                        poll_times.append(took)
                        for line in news.get("messages", []):
                            if line["text"] in sent_by_staff:
                                staff_to_visitor.append(now - sent_by_staff.pop(line["text"]))
                    cursor = news.get("cursor", cursor)
                    if talking.is_set() and now >= next_message:
                        text = f"visitor line {uuid.uuid4().hex[:10]}"
                        requests.post(
                            f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
                        )
                        with lock:
                            sent_by_visitor[text] = time.monotonic()
                        next_message = time.monotonic() + MESSAGE_EVERY_S
                    stop.wait(poll)

            def console_poller(sender: str) -> None:
                seen = 0
                while not stop.is_set():
                    found = reader.conversations(sender)
                    lines = found[0].lines if found else []
                    now = time.monotonic()
                    with lock:
                        for line in lines[seen:]:
                            text = line["message"].text if line["who"] == "visitor" else ""
                            if text in sent_by_visitor:
                                visitor_to_staff.append(now - sent_by_visitor.pop(text))
                    seen = len(lines)
                    stop.wait(poll)

            def staff_sender() -> None:
                talking.wait()
                while not stop.is_set():
                    for sender in senders:
                        text = f"staff line {uuid.uuid4().hex[:10]}"
                        with lock:
                            sent_by_staff[text] = time.monotonic()
                        live.reply(handoffs[sender], "bench", text)
                        if stop.wait(MESSAGE_EVERY_S / visitors):
                            return

            threads = [threading.Thread(target=visitor, args=(s,), daemon=True) for s in senders]
            threads += [threading.Thread(target=console_poller, args=(s,), daemon=True) for s in senders]
            threads.append(threading.Thread(target=staff_sender, daemon=True))
            for thread in threads:
                thread.start()
            time.sleep(2 * poll)
            polling = _faq_latencies(rasa, FAQ_SAMPLES)  # 20 visitors polling, nobody typing
            talking.set()
            started = time.monotonic()
            chatting = _faq_latencies(rasa, FAQ_SAMPLES)  # and everyone chatting at once
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def figures(values: List[float]) -> Dict[str, Optional[float]]:
        return {
            "count": len(values),
            "p50_s": _round(percentile(values, 50)),
            "p95_s": _round(percentile(values, 95)),
            "max_s": _round(max(values) if values else None),
        }

    p50_before = percentile(before, 50) or 0.0
    p50_polling, p50_chatting = percentile(polling, 50) or 0.0, percentile(chatting, 50) or 0.0
    result: Dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "visitors": visitors,
        "seconds": seconds,
        "poll_s": poll,
        "staff_to_visitor": figures(staff_to_visitor),
        "visitor_to_staff": figures(visitor_to_staff),
        "updates_request": figures(poll_times),
        "other_visitor_p50_ms": {
            "alone": round(p50_before * 1000, 1),
            "while_polling": round(p50_polling * 1000, 1),
            "while_chatting": round(p50_chatting * 1000, 1),
        },
        # The target: what the widgets' polling costs everyone else.
        "slowdown": round(p50_polling / p50_before - 1, 3) if p50_before else None,
        "slowdown_chatting": round(p50_chatting / p50_before - 1, 3) if p50_before else None,
    }
    result["pass"] = (
        (result["staff_to_visitor"]["p95_s"] or 99) <= TARGET_P95_S
        and (result["visitor_to_staff"]["p95_s"] or 99) <= TARGET_P95_S
        and result["slowdown"] is not None
        and result["slowdown"] <= MAX_SLOWDOWN
    )
    return result


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """The console's functions find the servers and stores through the environment; put it back after
    (the smoke test runs this inside pytest, and later tests must not see a deleted folder)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 3)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.handoff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--poll", type=float, default=1.5, help="the widget's and console's poll interval (s)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.visitors, args.seconds, args.poll, say=lambda text: print(text, flush=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    s2v, v2s = result["staff_to_visitor"], result["visitor_to_staff"]
    print(
        f"staff -> visitor: p50 {s2v['p50_s']} s, p95 {s2v['p95_s']} s ({s2v['count']} lines); "
        f"target p95 <= {TARGET_P95_S} s"
    )
    print(f"visitor -> staff: p50 {v2s['p50_s']} s, p95 {v2s['p95_s']} s ({v2s['count']} lines)")
    print(f"updates request: p50 {result['updates_request']['p50_s']} s, p95 {result['updates_request']['p95_s']} s")
    other = result["other_visitor_p50_ms"]
    print(
        f"another visitor's FAQ answer, p50: {other['alone']} ms alone, {other['while_polling']} ms while "
        f"{result['visitors']} widgets poll ({result['slowdown']:+.1%}; at most +{MAX_SLOWDOWN:.0%}), "
        f"{other['while_chatting']} ms while they all chat ({result['slowdown_chatting']:+.1%})"
    )
    print("PASS" if result["pass"] else "FAIL", f"- wrote {args.out}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
