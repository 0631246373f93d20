"""`python -m bench.console`: how fast the staff console's pages answer with a busy clinic's data.

    python -m bench.console                     20,000 conversations, 5,000 requests, 40 GETs a page
    python -m bench.console --conversations 200 --bookings 50 --requests 3     a smoke run

Seeds a temporary folder (staff/seed.py: Rasa's tracker store and the bookings store, SQLite),
adds a staff account, starts `python -m staff.console` on a free loopback port with that
folder's databases, signs in as staff do (the sign-in form and its CSRF token) and times
sequential GETs of each page in PAGES after two warm-ups. Pages still being built
(OPTIONAL_PAGES) are timed only if they answer 200; from /conversations one transcript is
timed too. Prints p50 / p95 / max per page against its target (p95 at most TARGET_MS, or
SLOW_TARGETS_MS), writes bench/results/console.json and exits 1 if a page misses its target
or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

import requests

from bench.load import percentile
from clinic.paths import CLINIC_DB_ENV_VAR, REPO_ROOT, TRACKER_DB_ENV_VAR
from ops.servers import LOOPBACK, free_port
from staff import seed as seeding
from staff.accounts import Accounts
from storage.staff_accounts import AccountStore

RESULTS = REPO_ROOT / "bench" / "results" / "console.json"
# Every page of the console, with the filters staff use most; a failure here fails the benchmark.
PAGES = (
    "/bookings",
    "/bookings?show=all",
    "/reports",
    "/api/bookings/new",
    "/bookings.csv",
    "/conversations",
    "/conversations?outcome=booked",
    "/conversations?topic=cost&outcome=unanswered",
    "/conversations?text=sunscreen",
    "/teach",
    "/teach?period=90",
    "/insights",
    "/insights?period=90",
    "/clinic",
    "/answers",
    "/answers/answers/recovery",
    "/audit",
)
OPTIONAL_PAGES: Tuple[str, ...] = ()  # timed only when they answer 200 (none left)
TRANSCRIPT_PAGE = "/conversations/<id>"  # one transcript linked from /conversations
TARGET_MS = 300.0
SLOW_TARGETS_MS = {"/teach": 1000.0}
WARMUPS = 2
STAFF_NAME = "bench"
READY_SECONDS = 90.0
REQUEST_TIMEOUT = 300.0
_CSRF = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>")
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")
_TRANSCRIPT_LINK = re.compile(r"href=\"(/conversations/[^\"?#]+)\"")


class BenchError(RuntimeError):
    """The console could not be set up or signed in to."""


@dataclass
class PageResult:
    page: str
    url: str
    target_ms: float
    status: int = 0
    samples_ms: List[float] = field(default_factory=list)
    errors: int = 0  # timed requests that did not answer 200
    bytes: int = 0
    requested: int = 0
    stopped_early: bool = False  # --max-seconds-per-page reached

    @property
    def p50(self) -> Optional[float]:
        return percentile(self.samples_ms, 50)

    @property
    def p95(self) -> Optional[float]:
        return percentile(self.samples_ms, 95)

    @property
    def max(self) -> Optional[float]:
        return max(self.samples_ms) if self.samples_ms else None

    @property
    def passed(self) -> bool:
        return bool(self.samples_ms) and not self.errors and (self.p95 or 0.0) <= self.target_ms

    def figures(self) -> Dict[str, Any]:
        def ms(value: Optional[float]) -> Optional[float]:
            return None if value is None else round(value, 1)

        return {
            "url": self.url,
            "status": self.status,
            "samples": len(self.samples_ms),
            "requested": self.requested,
            "stopped_early": self.stopped_early,
            "errors": self.errors,
            "bytes": self.bytes,
            "p50_ms": ms(self.p50),
            "p95_ms": ms(self.p95),
            "max_ms": ms(self.max),
            "mean_ms": ms(sum(self.samples_ms) / len(self.samples_ms)) if self.samples_ms else None,
            "target_ms": self.target_ms,
            "pass": self.passed,
        }


def target_for(page: str) -> float:
    return SLOW_TARGETS_MS.get(page.split("?", 1)[0], TARGET_MS)


def machine() -> Dict[str, object]:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform()}


def code_version() -> Dict[str, object]:
    """The commit measured, and whether the working tree had changes (the console is being worked on)."""

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty_files": git("status", "--porcelain").splitlines()}


# -- the console under test ---------------------------------------------------------------------------


class Console:
    """`python -m staff.console` as a child process, on the given databases."""

    def __init__(self, work: Path, tracker_url: str, clinic_url: str) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = work / "console.log"
        env = {
            **os.environ,
            TRACKER_DB_ENV_VAR: tracker_url,
            CLINIC_DB_ENV_VAR: clinic_url,  # the bookings store, and the staff accounts beside it
            "PYTHONUNBUFFERED": "1",
            "RATE_LIMIT_SIGN_INS": "0",  # the benchmark signs in from one address
        }
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "staff.console", "--host", LOOPBACK, "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, seconds: float = READY_SECONDS) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.process.poll() is not None:
                raise BenchError(f"the console exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/login", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise BenchError(f"the console did not answer within {seconds:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()


def add_staff_account(clinic_url: str) -> str:
    """An admin account, as `python -m staff user add bench --admin` makes it; returns its password."""
    password = secrets.token_urlsafe(18)
    store = AccountStore(clinic_url)
    Accounts(store).add(STAFF_NAME, password, is_admin=True, actor="bench")
    store.engine.dispose()
    return password


def sign_in(base_url: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(base_url + "/login", timeout=30)
    field_html = _CSRF.search(form.text)
    token = _VALUE.search(field_html.group(0)) if field_html else None
    if form.status_code != 200 or token is None:
        raise BenchError(f"no sign-in form with a csrf_token at /login (status {form.status_code})")
    reply = session.post(
        base_url + "/login",
        data={"username": STAFF_NAME, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if reply.status_code not in (302, 303) or "/login" in reply.headers.get("location", ""):
        raise BenchError(f"signing in failed: {reply.status_code} {reply.text[:200]}")
    return session


# -- timing ------------------------------------------------------------------------------------------


def _get(session: requests.Session, url: str) -> requests.Response:
    # No redirects: a lost session would otherwise time the sign-in page.
    return session.get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT)


def time_page(
    session: requests.Session,
    base_url: str,
    page: str,
    path: str,
    count: int,
    budget_seconds: float,
    first: Optional[requests.Response] = None,
) -> PageResult:
    """`count` sequential GETs of `path` after the warm-ups (`first`: a warm-up already made)."""
    result = PageResult(page=page, url=path, target_ms=target_for(page), requested=count)
    url = base_url + path
    warmups = [first] if first is not None else []
    while len(warmups) < WARMUPS:
        warmups.append(_get(session, url))
    result.status = warmups[0].status_code
    result.bytes = len(warmups[-1].content)
    started = time.monotonic()
    for done in range(count):
        if budget_seconds and done >= 3 and time.monotonic() - started > budget_seconds:
            result.stopped_early = True
            break
        sent = time.perf_counter()
        reply = _get(session, url)
        elapsed_ms = (time.perf_counter() - sent) * 1000
        if reply.status_code == 200:
            result.samples_ms.append(elapsed_ms)
        else:
            result.errors += 1
            result.status = reply.status_code
    return result


def measure(
    session: requests.Session, base_url: str, count: int, budget_seconds: float, say: TextIO
) -> Tuple[List[PageResult], Dict[str, int]]:
    """Every page of PAGES, and each of OPTIONAL_PAGES that answers 200; returns (results, skipped)."""
    results: List[PageResult] = []
    skipped: Dict[str, int] = {}
    for page in (*PAGES, *OPTIONAL_PAGES):
        probe = _get(session, base_url + page)
        if page in OPTIONAL_PAGES and probe.status_code != 200:
            skipped[page] = probe.status_code
            print(f"  {page:<34} answers {probe.status_code}: not timed", file=say, flush=True)
            continue
        result = time_page(session, base_url, page, page, count, budget_seconds, first=probe)
        results.append(result)
        print(f"  {page:<34} p50 {_ms(result.p50)} ms  ({len(result.samples_ms)} GETs)", file=say, flush=True)
        if page == "/conversations" and probe.status_code == 200:
            link = _TRANSCRIPT_LINK.search(probe.text)
            if link is None:
                skipped[TRANSCRIPT_PAGE] = 0
                print(f"  {TRANSCRIPT_PAGE:<34} no transcript link on /conversations", file=say, flush=True)
                continue
            transcript = time_page(session, base_url, TRANSCRIPT_PAGE, link.group(1), count, budget_seconds)
            results.append(transcript)
            print(
                f"  {TRANSCRIPT_PAGE:<34} p50 {_ms(transcript.p50)} ms  ({len(transcript.samples_ms)} GETs)",
                file=say,
                flush=True,
            )
    return results, skipped


def _ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(results: Sequence[PageResult], skipped: Dict[str, int]) -> List[str]:
    lines = [f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>7} {'GETs':>6}  result"]
    for r in results:
        verdict = "PASS" if r.passed else "FAIL"
        if r.errors:
            verdict += f" ({r.errors} answers not 200, last {r.status})"
        gets = f"{len(r.samples_ms)}" + ("*" if r.stopped_early else "")
        lines.append(
            f"{r.page:<34} {_ms(r.p50):>8} {_ms(r.p95):>8} {_ms(r.max):>8} {r.target_ms:>7.0f} {gets:>6}  {verdict}"
        )
    for page, status in skipped.items():
        lines.append(f"{page:<34} {'':>8} {'':>8} {'':>8} {target_for(page):>7.0f} {'':>6}  not timed ({status})")
    if any(r.stopped_early for r in results):
        lines.append("* fewer GETs than asked: --max-seconds-per-page was reached")
    return lines


# -- the run ------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.console", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=20_000, help="seeded conversations (default 20000)")
    parser.add_argument("--bookings", type=int, default=5_000, help="seeded booking requests (default 5000)")
    parser.add_argument("--requests", type=int, default=40, help="timed GETs per page, after 2 warm-ups (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the seeded data (default 1)")
    parser.add_argument(
        "--max-seconds-per-page",
        type=float,
        default=0.0,
        help="stop timing a page after this many seconds (at least 3 GETs); 0: never (default)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON file to write (default {RESULTS})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, console log)")
    return parser


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    say = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.requests < 1 or args.conversations < 0 or args.bookings < 0:
        print("error: --requests must be at least 1; counts can't be negative", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    tracker_url = f"sqlite:///{work / 'tracker.db'}"
    clinic_url = f"sqlite:///{work / 'clinic.db'}"
    console: Optional[Console] = None
    try:
        print(f"Seeding {work}", file=say, flush=True)
        summary = seeding.seed(
            tracker_url, clinic_url, args.conversations, args.bookings, args.seed, out=say, days=seeding.DAYS
        )
        for line in seeding.describe(summary):
            print(line, file=say)
        password = add_staff_account(clinic_url)
        code_at_start = code_version()  # what the console loads now
        console = Console(work, tracker_url, clinic_url)
        ready = console.wait_ready()
        print(f"Console up on {console.url} in {ready:.1f} s; timing {args.requests} GETs a page", file=say, flush=True)
        session = sign_in(console.url, password)
        results, skipped = measure(session, console.url, args.requests, args.max_seconds_per_page, say)
    except (BenchError, seeding.SeedError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        if console is not None:
            print(console.log_tail(), file=sys.stderr)
        return 2
    finally:
        if console is not None:
            console.stop()
        if args.keep:
            print(f"Kept {work}", file=say)
        else:
            shutil.rmtree(work, ignore_errors=True)

    passed = all(r.passed for r in results)
    code_at_end = code_version()
    report: Dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code_at_start,
        "seed": {
            "conversations": summary.conversations,
            "events": summary.events,
            "visitor_messages": summary.visitor_messages,
            "bookings": summary.requests,
            "seed": args.seed,
            "seconds": round(summary.tracker_seconds + summary.bookings_seconds, 1),
            "summary": asdict(summary),
        },
        "requests_per_page": args.requests,
        "warmups": WARMUPS,
        "rule": "p95 at most the target, every timed GET answered 200",
        "pages": {r.page: r.figures() for r in results},
        "not_timed": skipped,
        "passed": passed,
    }
    if code_at_end != code_at_start:
        # Templates are read from disk at each request: a change mid-run may be partly measured.
        report["code_changed_during_run"] = code_at_end
        print("warning: the working tree changed during the run (see code_changed_during_run)", file=say)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print("", file=say)
    for line in table(results, skipped):
        print(line, file=say)
    print(f"\n{'All pages within target.' if passed else 'Some pages miss their target.'} Wrote {args.out}", file=say)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
