"""`make check` renders every text with the real settings and finds visitor sentences in code."""

import subprocess
import sys
from pathlib import Path

import pytest

from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from training_data.code_texts import find_code_texts, looks_like_sentence
from training_data.text_rendering import text_problems


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def _summary(problems):
    return [(p.path.name, p.line, p.message) for p in problems]


def test_the_real_texts_render():
    assert text_problems(REPO_ROOT, load_settings()) == []


def test_a_clinic_placeholder_works_in_any_message_and_a_misspelt_one_is_named(project):
    messages = project / "messages.yml"
    _edit(
        messages,
        "Please call {clinic_name} on {clinic_phone}: we're open",
        "We're at {clinic_address}; {clinic_prices}. Call {clinic_phone}: we're open",
    )
    assert text_problems(project, load_settings()) == []
    line = _edit(messages, "We're at {clinic_address}", "We're at {clinic_adress}")
    [problem] = text_problems(project, load_settings())
    assert (problem.path.name, problem.message) == (
        "messages.yml",
        "message 'handoff_open' uses {clinic_adress}, which nothing fills",
    )
    assert problem.line == line - 2  # the message's first line, where staff look for it


def test_a_value_the_sender_does_not_give_is_refused(project):
    _edit(
        project / "messages.yml", 'text: "Thanks, {name}. What phone', 'text: "Thanks, {name} ({reference}). What phone'
    )
    [problem] = text_problems(project, load_settings())
    assert "message 'ask_phone' uses {reference}" in problem.message and "{name}" in problem.fix


def test_a_stray_brace_in_a_response_is_caught_with_its_line(project):
    faq = project / "data" / "responses" / "faq.yml"
    line = _edit(faq, "packages, on {clinic_phone}.", "packages, on {clinic_phone.")
    [problem] = text_problems(project, load_settings())
    assert (problem.path.name, problem.line) == ("faq.yml", line)
    assert "can't be filled in" in problem.message


def test_an_unknown_placeholder_in_domain_yml_is_caught(project):
    line = _edit(project / "domain.yml", "virtual assistant of {clinic_name}", "virtual assistant of {clinic}")
    assert _summary(text_problems(project, load_settings())) == [
        ("domain.yml", line, "response 'utter_greet' uses {clinic}, which nothing fills")
    ]


def test_make_check_fails_on_a_broken_message(project):
    _edit(project / "messages.yml", "Our hours are {clinic_hours}", "Our hours are {clinic_hourz}")
    result = subprocess.run(
        [sys.executable, "-m", "ops.check", "--data-only", "--root", str(project)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "messages.yml:" in result.stderr and "{clinic_hourz}" in result.stderr


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("Sorry, something went wrong on my side.", True),
        ("you said one of the listed conditions applies, so the provider will discuss", True),
        ("What is micro-needling?", True),
        (r"\b(?:in the |at )?", False),
        ("booking_form", False),
        ("Start over", False),
        (".cw-root{position:fixed;right:20px}", False),
    ],
)
def test_what_counts_as_a_visitor_sentence(text, sentence):
    assert looks_like_sentence(text) is sentence


def test_no_visitor_sentence_is_left_in_code():
    assert [str(found) for found in find_code_texts()] == []


def test_a_sentence_typed_into_an_action_is_found(tmp_path):
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "greeting.py").write_text(
        '"""Docstrings are fine."""\nimport logging\n\n'
        'logging.getLogger(__name__).info("Log lines are read by staff, not visitors.")\n'
        'def run(dispatcher):\n    dispatcher.utter_message(text=f"Hello {name}, welcome to our clinic today!")\n'
    )
    [found] = find_code_texts(tmp_path, packages=("actions",))
    assert (str(found.path), found.line) == ("actions/greeting.py", 6)
