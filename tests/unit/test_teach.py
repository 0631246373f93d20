"""The Teach page's logic: missed questions grouped with the assistant's two best guesses, labels
from a fixed list applied by the CLI's code, ignored ones hidden for good."""

import shutil

import pytest

from clinic.paths import REPO_ROOT
from staff import review, teach
from storage.conversations import Conversation, VisitorMessage


def _asked(text, intent="nlu_fallback", confidence=0.3, guesses=("faq/recovery", "faq/side_effects"), at=1.0):
    return VisitorMessage(at, text, intent, confidence, None, None, None, None, guesses)


@pytest.fixture
def data_dir(tmp_path):
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def _conversations():
    return [
        Conversation(
            "a", 1.0, messages=[_asked("can i swim after it", at=5.0), _asked("Can I swim after it?", at=6.0)]
        ),
        Conversation("b", 2.0, messages=[_asked("call me on 212 555 0188 pls", guesses=("request_callback",))]),
        Conversation("c", 3.0, messages=[_asked("what is micro-needling?")]),  # already in the training data
        Conversation(
            "d", 4.0, messages=[_asked("set a timer", intent="out_of_scope", confidence=0.9, guesses=("out_of_scope",))]
        ),
    ]


def test_missed_questions_are_grouped_with_plain_guesses(data_dir):
    items = teach.missed_questions(_conversations(), data_dir, set())
    assert [i.message for i in items] == ["Can I swim after it?", "set a timer"]
    swim = items[0]
    assert swim.times_asked == 2 and swim.guesses == (
        ("faq/recovery", "Recovery and aftercare"),
        ("faq/side_effects", "Side effects and risks"),
    )
    assert items[1].guesses == (("out_of_scope", "Nothing to do with the clinic"),)


def test_teaching_adds_examples_ignoring_hides_and_later_keeps(data_dir, tmp_path):
    ignored = teach.IgnoredQuestions(tmp_path / "ignored.json")
    items = teach.missed_questions(_conversations(), data_dir, ignored.keys())
    swim, timer = items
    taught = teach.teach({swim.key: "faq/recovery", timer.key: teach.IGNORE}, items, data_dir, ignored)
    assert taught.count == 1 and taught.labelled == {"faq/recovery": ["Can I swim after it?"]}
    assert "    - Can I swim after it?\n" in (data_dir / "nlu/faq.yml").read_text()
    assert teach.missed_questions(_conversations(), data_dir, ignored.keys()) == []  # taught and ignored: gone
    again = teach.missed_questions(_conversations(), data_dir, set())
    assert [i.message for i in again] == ["set a timer"]  # without the ignore list it would be back


def test_a_label_outside_the_list_writes_nothing(data_dir, tmp_path):
    items = teach.missed_questions(_conversations(), data_dir, set())
    before = (data_dir / "nlu/faq.yml").read_text()
    with pytest.raises(review.LabelError):
        teach.teach(
            {items[0].key: "faq/recovery", items[1].key: "drop_tables"},
            items,
            data_dir,
            teach.IgnoredQuestions(tmp_path / "i.json"),
        )
    assert (data_dir / "nlu/faq.yml").read_text() == before
    nothing = teach.teach({items[0].key: teach.LATER}, items, data_dir, teach.IgnoredQuestions(tmp_path / "i.json"))
    assert nothing.count == 0 and nothing.ignored == []


def test_the_period_is_one_of_the_offered_ones():
    assert teach.since("7", now=1_000_000.0) == 1_000_000.0 - 7 * 86400
    assert teach.since("9999", now=1_000_000.0) == 1_000_000.0 - 30 * 86400
