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
