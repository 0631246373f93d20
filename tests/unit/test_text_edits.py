"""Answers and messages edited in the console: the same checks as `make check`, a preview with the
real settings, and saves that keep the file's comments and never lose someone else's edit."""

import shutil

import pytest
import yaml

from clinic.paths import REPO_ROOT
from clinic.settings import load_settings
from clinic.texts import parse_messages
from staff import text_edits as edits
from staff.file_edits import EditConflictError


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "data" / "responses").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "data/responses/faq.yml", tmp_path / "data/responses/faq.yml")
    shutil.copy(REPO_ROOT / "messages.yml", tmp_path / "messages.yml")
    shutil.copy(REPO_ROOT / "domain.yml", tmp_path / "domain.yml")
    monkeypatch.setenv("CLINIC_MESSAGES", str(tmp_path / "messages.yml"))
    return tmp_path


def test_texts_are_listed_by_plain_names(project):
    answers = edits.list_texts(edits.ANSWERS, project)
    assert [a.key for a in answers][:2] == ["what_is", "conditions"] and len(answers) == 11
    assert answers[6].title == "Recovery and aftercare" and answers[6].goes_live_by_training
    emergency = edits.find_text(edits.MESSAGES, "symptom_emergency", project)
    assert emergency.title == "After-treatment report with a red flag" and not emergency.goes_live_by_training
    assert emergency.own_values == ("sign", "why") and "{why}" in [f"{{{p}}}" for p in emergency.placeholders]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Call us on (212) 555-0100 to ask.", "phone number is typed"),
        ("A session costs $300.", "price is typed"),
        ("Visit us at 120 Example Avenue.", "address is typed"),
        ("Call {clinic_fone}.", "clinic_fone"),
        ("Call {clinic_phone.", "can't be filled in"),
        ("", "empty"),
        ("x" * 1001, "1001 characters"),
    ],
)
def test_an_answer_with_a_problem_is_refused_with_the_reason(project, text, reason):
    problems = edits.problems_with(edits.ANSWERS, "recovery", text, load_settings(), project)
    assert problems and reason in " ".join(problems)


def test_the_emergency_advice_must_lead_with_the_emergency_number(project):
    settings = load_settings()
    late = "Please rest. If it gets worse call {clinic_emergency_number}."
    assert "first sentence" in " ".join(
        edits.problems_with(edits.MESSAGES, "symptom_emergency", late, settings, project)
    )
    first = "Call {clinic_emergency_number} now, please. {why}"
    assert edits.problems_with(edits.MESSAGES, "symptom_emergency", first, settings, project) == []


def test_preview_fills_the_clinics_details_and_marks_the_senders_values(project):
    emergency = edits.find_text(edits.MESSAGES, "symptom_emergency", project)
    shown = edits.preview(emergency, "Call {clinic_emergency_number} now. {why} Or {clinic_phone}.", load_settings())
    assert shown == "Call 911 now. [why] Or (212) 555-0100."


def test_a_saved_answer_keeps_the_files_comments_buttons_and_other_answers(project):
    before = edits.find_text(edits.ANSWERS, "duration", project)
    old, _ = edits.save_text(
        edits.ANSWERS, "duration", " About 30 minutes; plan two hours. ", before.version, before.text, project
    )
    assert old == before.text
    text = (project / "data/responses/faq.yml").read_text()
    assert text.startswith('version: "3.1"\n# The answer to each FAQ topic')
    responses = yaml.safe_load(text)["responses"]
    assert responses["utter_faq/duration"][0]["text"] == "About 30 minutes; plan two hours."
    assert responses["utter_faq/duration"][0]["buttons"]  # buttons kept
    assert (
        responses["utter_faq/cost"]
        == yaml.safe_load((REPO_ROOT / "data/responses/faq.yml").read_text())["responses"]["utter_faq/cost"]
    )


def test_two_staff_editing_different_texts_both_keep_theirs_and_the_same_text_conflicts(project):
    alice = edits.find_text(edits.MESSAGES, "handoff_open", project)
    bob = edits.find_text(edits.MESSAGES, "handoff_closed", project)
    carol = edits.find_text(edits.MESSAGES, "handoff_open", project)
    edits.save_text(edits.MESSAGES, "handoff_open", "Alice's words until {closes}.", alice.version, alice.text, project)
    edits.save_text(
        edits.MESSAGES, "handoff_closed", "Bob's words.", bob.version, bob.text, project
    )  # other text: fine
    with pytest.raises(EditConflictError):
        edits.save_text(edits.MESSAGES, "handoff_open", "Carol's words.", carol.version, carol.text, project)
    messages = parse_messages((project / "messages.yml").read_text())
    assert messages["handoff_open"].text == "Alice's words until {closes}."
    assert messages["handoff_closed"].text == "Bob's words."
    assert messages["handoff_open"].values == ("closes",)  # the entry's other fields stay


def test_unknown_texts_are_refused(project):
    assert edits.find_text("answers", "nope", project) is None and edits.find_text("../etc", "x", project) is None
    with pytest.raises(edits.TextEditError):
        edits.save_text(edits.ANSWERS, "nope", "x", "", "", project)


def test_greetings_and_short_replies_are_edited_in_the_domain_and_trained(project):
    greet = edits.find_text(edits.REPLIES, "utter_greet", project)
    assert greet.title == "Greeting" and greet.goes_live_by_training and "{clinic_name}" in greet.text
    settings = load_settings()
    assert "phone number is typed" in " ".join(
        edits.problems_with(edits.REPLIES, "utter_greet", "Hi! Call 212 555 0100.", settings, project)
    )
    assert "clinic_fone" in " ".join(
        edits.problems_with(edits.REPLIES, "utter_greet", "Hi {clinic_fone}", settings, project)
    )
    source = (project / "domain.yml").read_text()
    before = yaml.safe_load(source)
    edits.save_text(edits.REPLIES, "utter_greet", "Hello from {clinic_name}!", greet.version, greet.text, project)
    lines = zip(source.splitlines(), (project / "domain.yml").read_text().splitlines())
    assert [new for old, new in lines if old != new] == ['  - text: "Hello from {clinic_name}!"']  # one line changed
    after = yaml.safe_load((project / "domain.yml").read_text())
    assert after["responses"]["utter_greet"][0]["text"] == "Hello from {clinic_name}!"
    assert after["responses"]["utter_greet"][0].get("buttons") == before["responses"]["utter_greet"][0].get("buttons")
    assert {k: v for k, v in after.items() if k != "responses"} == {k: v for k, v in before.items() if k != "responses"}
