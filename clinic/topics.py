"""The FAQ topic keys of the topic contract (shared/spec/faq-topics.md).

`faq/<key>` is both the retrieval sub-intent and, prefixed with `utter_`, its answer.
"""
from typing import Tuple

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


def answer_name(topic: str) -> str:
    """Name of the response that answers `topic`, e.g. utter_faq/cost."""
    if topic not in FAQ_TOPICS:
        raise KeyError(f"unknown FAQ topic {topic!r}")
    return f"utter_faq/{topic}"
