"""Issue 7 end to end: a question the assistant misses is reviewed, labelled, applied,
trained and hot-loaded into the running server, which then answers it, with no restart
and no hand-editing of YAML. Runs on a copy of the training data in a temporary folder."""

import csv
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict

import yaml

from clinic.paths import REPO_ROOT
from tests.e2e.conftest import running_bot

# Ways of asking "what is it" that the trained model has misread; the test labels the
# first one the review lists. (Which ones it misses can change with the data; at least
# one must be missed, or the test has nothing to teach and fails.)
MISSED_CANDIDATES = [
    "the stamping gizmo with tiny spikes, whats that all about",
    "that skin stabby roller-ish facial, define it for me",
    "skin prick collagen party thing, what is it basically",
]
TOPIC = "what_is"
# Questions with a phone number in them that the model has misread, so the review lists one
# (at least one must be; "can someone ring me on ..." is understood as a call-back wish now).
PHONE_NUMBER = "212 555 0188"
PHONE_MESSAGES = [
    f"prickly face gadget thingy, {PHONE_NUMBER} is my cell, explain??",
    f"{PHONE_NUMBER} here, that pokey facial gizmo, wots the deal",
]


def project_copy(tmp: Path) -> Path:
    """The project's training inputs, texts and test stories in `tmp`, to train and edit without touching the repo."""
    project = tmp / "project"
    project.mkdir()
    for name in ("config.yml", "domain.yml", "messages.yml", "credentials.yml", "endpoints.yml"):
        shutil.copy(REPO_ROOT / name, project / name)
    shutil.copytree(REPO_ROOT / "data", project / "data")
    shutil.copytree(REPO_ROOT / "tests" / "stories", project / "tests" / "stories")  # for going live from the console
    (project / ".venv").symlink_to(REPO_ROOT / ".venv")  # config.yml loads spaCy from .venv/spacy
    return project


def _staff(args, env: Dict[str, str], timeout: float = 900) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_missed_question_is_reviewed_labelled_trained_and_answered_live(tmp_path):
    project = project_copy(tmp_path)
    work = tmp_path / "bot"
    work.mkdir()
    with running_bot(work) as bot:
        env = dict(
            os.environ,
            TRACKER_DB_URL=f"sqlite:///{work / 'tracker.db'}",
            CLINIC_SETTINGS=str(bot.settings_file),
            RASA_URL=bot.config.rasa_url,
            RASA_AUTH_TOKEN=bot.config.auth_token,
            # Reuse the repo's training cache: only what the new example changes retrains.
            RASA_CACHE_DIRECTORY=str(REPO_ROOT / ".rasa" / "cache"),
        )
        visitors = [f"staff-loop-{uuid.uuid4().hex[:8]}" for _ in range(3)]
        for sender in visitors[:2]:
            for text in MISSED_CANDIDATES:
                bot.say(sender, text)
        bot.say(visitors[2], "what is micro-needling?")
        for text in PHONE_MESSAGES:
            bot.say(visitors[2], text)

        # 1. Review: grouped and counted, phone masked, answered questions not listed.
        listing = _staff(["-m", "staff", "review"], env)
        assert PHONE_NUMBER not in listing and "[phone]" in listing
        assert "what is micro-needling" not in listing.lower()
        export_file = tmp_path / "review.csv"
        _staff(["-m", "staff", "review", "--export", str(export_file)], env)
        with open(export_file, newline="") as handle:
            rows = list(csv.DictReader(handle))
        missed = [row for row in rows if row["message"] in MISSED_CANDIDATES]
        assert missed, f"none of the candidates was missed; the review listed {rows}"
        assert all(row["times_asked"] == "2" for row in missed)
        chosen = missed[0]["message"]

        # 2. Label it, as staff would in a spreadsheet: the topic column only.
        for row in rows:
            row["topic"] = TOPIC if row["message"] == chosen else ""
        with open(export_file, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

        # 3. Apply: added under faq/what_is in the file's own format, checks pass.
        applied = _staff(["-m", "staff", "review", "--apply", str(export_file), "--data", str(project / "data")], env)
        assert f"added to faq/{TOPIC}: {chosen}" in applied and "make check: all good" in applied
        faq_file = (project / "data/nlu/faq.yml").read_text()
        assert f"\n    - {chosen}\n" in faq_file
        examples = yaml.safe_load(faq_file)["nlu"]
        block = next(b for b in examples if b["intent"] == f"faq/{TOPIC}")
        assert f"- {chosen}" in block["examples"].splitlines()
        again = _staff(["-m", "staff", "review", "--apply", str(export_file), "--data", str(project / "data")], env)
        assert "0 added, 1 already known" in again

        # 4. Train and hot-load into the running server; no restart.
        pid_before = bot.servers.processes["rasa"].pid
        reloaded = _staff(["-m", "ops.reload", "--root", str(project)], env)
        assert "Live: the assistant now serves" in reloaded
        assert bot.servers.processes["rasa"].pid == pid_before and bot.servers.processes["rasa"].running()

        # 5. The question is answered now, with the topic's answer.
        parsed = bot.parse(chosen)
        assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == f"faq/{TOPIC}"
        answer = yaml.safe_load((project / "data/responses/faq.yml").read_text())["responses"][f"utter_faq/{TOPIC}"][0][
            "text"
        ]
        replies = bot.say(f"staff-loop-after-{uuid.uuid4().hex[:8]}", chosen)
        assert any(r.get("text", "").startswith(answer[:40]) for r in replies), replies

        # 6. Transcripts: listed, and shown with the phone number masked.
        conversations = _staff(["-m", "staff", "conversations", "list"], env)
        assert all(sender in conversations for sender in visitors)
        transcript = _staff(["-m", "staff", "conversations", "show", visitors[2]], env)
        assert "[phone]" in transcript and PHONE_NUMBER not in transcript
        assert "what is micro-needling?" in transcript


def test_conversations_survive_a_restart(tmp_path):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    with running_bot(tmp_path) as bot:
        bot.say(sender, "what is micro-needling?")
    with running_bot(tmp_path) as bot:
        texts = [e.get("text") for e in bot.tracker(sender)["events"] if e.get("event") == "user"]
    assert texts == ["what is micro-needling?"]
