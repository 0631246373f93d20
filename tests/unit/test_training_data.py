"""The training data against the topic contract, and test phrasings against the training data."""

import re
from typing import Dict, List

import yaml

from clinic.paths import REPO_ROOT
from clinic.topics import FAQ_TOPICS

MIN_EXAMPLES_PER_TOPIC = 30


def _examples_by_intent() -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for path in sorted((REPO_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                found.setdefault(block["intent"], []).extend(
                    re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line).strip() for line in lines
                )
    return found


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def test_every_topic_of_the_contract_has_enough_examples_and_an_answer():
    examples = _examples_by_intent()
    answers = yaml.safe_load((REPO_ROOT / "data/responses/faq.yml").read_text())["responses"]
    for topic in FAQ_TOPICS:
        assert len(examples.get(f"faq/{topic}", [])) >= MIN_EXAMPLES_PER_TOPIC, topic
        assert f"utter_faq/{topic}" in answers, topic
    faq_intents = {i for i in examples if i.startswith("faq/")}
    assert faq_intents == {f"faq/{t}" for t in FAQ_TOPICS}


def test_no_example_is_under_two_intents():
    owners: Dict[str, set] = {}
    for intent, texts in _examples_by_intent().items():
        for text in texts:
            owners.setdefault(_normalise(text), set()).add(intent)
    assert {t: o for t, o in owners.items() if len(o) > 1} == {}


def test_test_story_phrasings_are_not_training_examples():
    from clinic.texts import load_messages, suggestion_questions

    training = {_normalise(t) for texts in _examples_by_intent().values() for t in texts}
    # A click on a "Which of these did you mean?" or "Did you mean ...?" button sends its
    # question, which is a training example by design (as a /intent payload is an intent).
    training -= {_normalise(q) for q in suggestion_questions(load_messages()).values()}
    seen = []
    for path in (REPO_ROOT / "tests" / "stories").glob("*.yml"):
        for story in yaml.safe_load(path.read_text())["stories"]:
            for step in story["steps"]:
                text = step.get("user", "").strip()
                if text and not text.startswith("/") and _normalise(text) in training:
                    seen.append((path.name, text))
    assert seen == []


def test_answers_take_contact_details_from_settings():
    for path in (REPO_ROOT / "data/responses/faq.yml", REPO_ROOT / "domain.yml"):
        text = path.read_text()
        assert not re.search(r"\(?\d{3}\)?[ -]\d{3}-\d{4}|\b911\b|\$\d|https?://", text), path


def test_benchmark_messages_are_not_training_examples():
    """bench/heldout.tsv measures understanding of unseen messages; adding one to training
    data would inflate the benchmark (bench/dev.tsv, the tuning set, is held to it too)."""
    import csv

    training = {_normalise(t).strip(" .!?,;:") for texts in _examples_by_intent().values() for t in texts}
    leaked = []
    blind = tuple(f"safety_blind{n}.tsv" for n in range(3, 85))
    for name in (
        "heldout.tsv",
        "heldout_fresh.tsv",
        "heldout_fresh2.tsv",
        "heldout_fresh3.tsv",
        "heldout_fresh4.tsv",
        "heldout_fresh5.tsv",
        "heldout_fresh6.tsv",
        "heldout_fresh7.tsv",
        "heldout_fresh8.tsv",
        "heldout_fresh9.tsv",
        "heldout_fresh10.tsv",
        "heldout_fresh11.tsv",
        "heldout_fresh12.tsv",
        "heldout_fresh13.tsv",
        "heldout_fresh14.tsv",
        "clinic_details.tsv",
        "dev.tsv",
        "safety_heldout.tsv",
        "safety_dev.tsv",
        *blind,
    ):
        with open(REPO_ROOT / "bench" / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
        assert name != "heldout.tsv" or len(rows) >= 300
        assert name != "safety_heldout.tsv" or len(rows) >= 80
        assert name != "heldout_fresh.tsv" or len(rows) >= 280
        leaked += [(name, r["text"]) for r in rows if _normalise(r["text"]).strip(" .!?,;:") in training]
    assert leaked == []


def test_answers_say_what_the_article_leaves_open():
    """Questions next to a topic ("safe while breastfeeding?", "how long do results last?",
    "how deep do the needles go?") often get that topic's answer; it must not imply more
    than the article says."""
    answers = yaml.safe_load((REPO_ROOT / "data/responses/faq.yml").read_text())["responses"]
    text = {key: " ".join(r["text"] for r in value) for key, value in answers.items()}
    assert "breastfeeding" in text["utter_faq/contraindications"]
    assert "don't read the list as complete" in text["utter_faq/contraindications"]
    assert "how long the results last, isn't something I can tell you" in text["utter_faq/results"]
    assert "how deep the needles go aren't in our information" in text["utter_faq/how_it_works"]
