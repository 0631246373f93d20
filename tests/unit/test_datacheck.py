"""Each check of `make check` catches its problem in a small fixture project."""

from pathlib import Path

import pytest

from clinic.paths import REPO_ROOT
from training_data.datacheck import run_all

ADDRESS = "120 Example Avenue, Suite 4, New York, NY 10001"


def _problems(project: Path):
    return run_all(project, "US", ADDRESS)


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text, old
    before = text[: text.index(old)]
    path.write_text(text.replace(old, new, 1))
    return before.count("\n") + 1


def test_the_real_project_has_no_problems():
    assert run_all(REPO_ROOT, "US", ADDRESS) == []


def test_same_example_under_two_topics(project):
    nlu = project / "data/nlu/faq.yml"
    line = _edit(
        nlu, "- intent: faq/cost\n  examples: |\n", "- intent: faq/cost\n  examples: |\n    - What is micro-needling\n"
    )
    (problem,) = _problems(project)
    assert (problem.path, problem.line) == (nlu, line + 2)
    assert "faq/cost" in problem.message and "faq/what_is" in problem.message
    assert "only under the topic" in problem.fix


def test_topic_with_too_few_examples(project):
    nlu = project / "data/nlu/smalltalk.yml"
    text = nlu.read_text()
    start = text.index("- intent: bot_challenge")
    end = text.index("- intent:", start + 1)
    block = text[start:end].splitlines(keepends=True)
    nlu.write_text(text[:start] + "".join(block[:5]) + text[end:])
    (problem,) = _problems(project)
    assert problem.path == nlu and "bot_challenge has 3 examples" in problem.message


@pytest.mark.parametrize(
    "typed, what",
    [
        ("call us on (212) 555-0100", "phone number"),
        ("it costs $250 a session", "price"),
        ("it is 300 dollars", "price"),
        ("visit us at 120 Example Avenue", "address"),
        ("we are at 5 Main Street", "address"),
    ],
)
def test_details_typed_into_an_answer(project, typed, what):
    answers = project / "data/responses/faq.yml"
    line = _edit(answers, '  utter_faq/duration:\n  - text: "', f'  utter_faq/duration:\n  - text: "{typed}. ')
    problems = _problems(project)
    assert [(p.path, p.line) for p in problems] == [(answers, line + 1)]
    assert what in problems[0].message and "clinic.yml" in problems[0].fix


@pytest.mark.parametrize(
    "payload, expected",
    [
        ('"/book_apointment"', "no intent 'book_apointment'"),
        ('\'/change_booking{"booking_field": "time"\'', "no intent"),
        ('\'/change_booking{"booking_feild": "time"}\'', "not in domain.yml"),
        ('"How much does a pony cost?"', "not a training example"),
        ('""', "empty"),
    ],
)
def test_broken_button_payload(project, payload, expected):
    answers = project / "data/responses/faq.yml"
    line = _edit(answers, 'payload: "/book_appointment"', f"payload: {payload}")
    (problem,) = _problems(project)
    assert (problem.path, problem.line) == (answers, line)
    assert expected in problem.message


def test_a_button_filled_from_a_slot_sends_only_questions_the_model_was_trained_on(project):
    answers = project / "data/responses/faq.yml"
    line = _edit(answers, 'payload: "/book_appointment"', 'payload: "{faq_choice_1}"')
    assert _problems(project) == []  # every topic's question is a training example
    _edit(project / "messages.yml", '"How much does it cost?"', '"Is it worth a pony?"')
    problems = _problems(project)
    # domain.yml's "Which of these did you mean?" buttons are flagged too.
    assert {p.path.name for p in problems} == {"faq.yml", "domain.yml"}
    (problem,) = [p for p in problems if p.path == answers]
    assert problem.line == line
    assert "Is it worth a pony?" in problem.message and "topic_question_cost" in problem.message


def test_a_topic_without_a_button_question_is_flagged(project):
    _edit(project / "messages.yml", 'topic_question_cost:\n  text: "How much does it cost?"\n', "")
    problems = _problems(project)
    assert problems and all("cost" in p.message for p in problems)


def test_a_button_filled_from_another_slot_is_flagged(project):
    answers = project / "data/responses/faq.yml"
    _edit(answers, 'payload: "/book_appointment"', 'payload: "{clinic_phone}"')
    (problem,) = _problems(project)
    assert "clinic_phone" in problem.message
