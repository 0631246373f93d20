"""The FAQ topic keys of the topic contract (shared/spec/faq-topics.md).

`faq/<key>` is the retrieval sub-intent; `utter_faq/<key>` in data/responses/faq.yml its answer.
"""

from typing import Dict, Tuple

FAQ_TOPICS: Tuple[str, ...] = (
    "what_is",
    "conditions",
    "how_it_works",
    "preparation",
    "procedure",
    "duration",
    "recovery",
    "results",
    "side_effects",
    "contraindications",
    "cost",
)

# What staff read instead of the key: the console lists topics by these names.
TOPIC_NAMES: Dict[str, str] = {
    "what_is": "What micro-needling is",
    "conditions": "What it treats",
    "how_it_works": "How it works",
    "preparation": "Preparing for a treatment",
    "procedure": "What happens during a treatment",
    "duration": "How long it takes",
    "recovery": "Recovery and aftercare",
    "results": "Results and number of sessions",
    "side_effects": "Side effects and risks",
    "contraindications": "Who should not have it",
    "cost": "Prices and payment",
}


# The entities (and slots of the same names) that carry the two questions offered when the
# assistant asks which topic a visitor meant; domain.yml's buttons send their values.
CHOICE_SLOTS = ("faq_choice_1", "faq_choice_2")


# Intents the not-understood reply may offer as a button beside FAQ topics ("Did you mean
# ...?", components/fallback_suggestions.py); each sends `intent_question_<intent>`.
SUGGESTED_INTENTS: Tuple[str, ...] = ("book_appointment", "request_human")


def intent_question_message(intent: str) -> str:
    """The messages.yml entry with the question an intent's suggestion button sends."""
    return f"intent_question_{intent}"


def question_message(topic: str) -> str:
    """The messages.yml entry with the question a topic's button sends when the assistant
    asks which of two topics a visitor meant (components/topic_clarifier.py)."""
    return f"topic_question_{topic}"


def topic_name(label: str) -> str:
    """A plain name for `faq/<key>` or `<key>`; other labels come back unchanged."""
    return TOPIC_NAMES.get(label.split("/", 1)[-1] if label.startswith("faq/") else label, label)
