"""The severity model: a second reading of reports that no listed red flag matched."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import List, Tuple

import pytest

from bench.safety import SAFETY_BLIND_SETS, SAFETY_HELDOUT
from clinic import severity
from clinic.paths import REPORTS_CORPUS_PATH
from clinic.red_flags import Sign, find_red_flags, readings_in_words
from clinic.triage import Urgency, triage

RED = [
    "lips swelled up like a balloon",
    "my temperature is very high and i am shivering",
    "pain is unbearable, worst ever",
    "cant see out of my left eye",
    "thick yellow gunk coming out of the dots",
    "throat feels like it is closing",
]
ORDINARY = [
    "a bit pink still",
    "skin feels tight and dry",
    "some flaking on my chin",
    "tiny scabs where the pen went",
    "mildly itchy today",
    "cheeks slightly warm like a sunburn",
]


def _corpus(tmp_path: Path, rows: List[Tuple[str, str]], header: str = "text\tkind") -> Path:
    path = tmp_path / "reports.tsv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("# test reports\n" + header + "\n")
        csv.writer(handle, delimiter="\t", lineterminator="\n").writerows(rows)
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return _corpus(tmp_path, [(t, "red_flag") for t in RED] + [(t, "ordinary") for t in ORDINARY])


def test_a_report_like_the_red_flags_reads_as_one(corpus):
    assert severity.red_flag_probability("my lips swelled up and my throat is closing", corpus) > 0.5
    assert severity.red_flag_probability("chin a bit flaky and pink", corpus) < 0.5


@pytest.mark.parametrize("rows", [[("only one kind", "ordinary")], [("a", "red_flag"), ("b", "maybe")]])
def test_a_corpus_without_both_kinds_is_refused(tmp_path, rows):
    with pytest.raises(severity.SeverityCorpusError):
        severity.read_reports(_corpus(tmp_path, rows))


def test_a_missing_corpus_is_refused(tmp_path):
    with pytest.raises(severity.SeverityCorpusError, match="can't be read"):
        severity.read_reports(tmp_path / "absent.tsv")


DESCRIBED = Sign("described_as_serious", "Reads like a red flag", "It should be checked now.", described=True)


def test_only_a_known_report_that_no_sign_matched_is_read_by_the_model():
    text = "had it done this morning and my lips look like i was stung by a wasp"
    assert find_red_flags(text) == []  # the list has no such words
    assert triage(text).urgency is Urgency.CALL_CLINIC  # not known to be a report
    known = triage(text, known_report=True)
    assert known.urgency is Urgency.EMERGENCY
    assert known.red_flags[0].key == "described_as_serious"  # the shared list's described sign
    assert "reads like a red flag" in known.red_flags[0].evidence


def test_an_ordinary_report_stays_ordinary_and_a_listed_sign_comes_first():
    assert triage("a little pink on my cheeks today", known_report=True).urgency is Urgency.CALL_CLINIC
    listed = triage("i have pus coming out", known_report=True)
    assert [flag.key for flag in listed.red_flags] == ["pus"]


def test_a_general_question_is_never_escalated_by_the_model(monkeypatch):
    import clinic.triage

    monkeypatch.setattr(clinic.triage, "red_flag_probability", lambda text: 0.99)
    question = "could it make lips look like someone punched them?"
    assert triage(question, known_report=True).urgency is Urgency.CALL_CLINIC
    assert triage("lips look like someone punched them", known_report=True).urgency is Urgency.EMERGENCY


def _texts(path: Path) -> List[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [" ".join(row["text"].lower().split()) for row in rows]


def test_the_measured_safety_sets_never_train_the_model():
    trained = set(_texts(REPORTS_CORPUS_PATH))
    assert len(trained) > 1000
    for path in (SAFETY_HELDOUT, *SAFETY_BLIND_SETS):
        measured = _texts(path)
        assert len(measured) >= 80
        assert [text for text in measured if text in trained] == []


def test_warm_up_trains_once_and_a_broken_corpus_only_logs(tmp_path, corpus, caplog):
    severity.warm_up(corpus)
    assert severity.red_flag_probability("chin a bit flaky and pink", corpus) < 0.5  # already trained
    severity.warm_up(tmp_path / "absent.tsv")
    assert "severity model not trained" in caplog.text


@pytest.mark.parametrize(
    "text, words",
    [
        ("Thermometer says 98.6 and I am well", "Thermometer says  a normal temperature and I am well"),
        ("temp 38,9 today", "temp  a high temperature today"),
        ("39.1 since last night", " a high temperature since last night"),
        ("101F on the ear thing", " a high temperature  on the ear thing"),
        ("36 hours ago, temp fine", "36 hours ago, temp fine"),
        ("i am 38 and had it done friday", "i am 38 and had it done friday"),
        ("took 2 paracetamol at 10.30", "took 2 paracetamol at 10.30"),
        ("thermometer says 102 degrees and", "thermometer says  a high temperature and"),
        ("set the oven to 350 f", "set the oven to 350 f"),
    ],
)
def test_the_model_reads_temperatures_in_words(text, words):
    """Blind set 27: "Thermometer says 98.6 and I am perfectly well" read like a fever (0.73):
    the model's n-grams saw "thermometer" and digits, not that the reading is normal."""
    assert readings_in_words(text) == words


def test_a_normal_reading_reads_less_like_a_red_flag_than_a_high_one():
    normal = severity.red_flag_probability("thermometer says 36.6 and i feel fine, cheeks pink")
    high = severity.red_flag_probability("thermometer says 39.4 and i feel awful, cheeks pink")
    assert normal < severity.THRESHOLD <= high
