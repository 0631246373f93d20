"""The FAQ topic keys of the topic contract (shared/spec/faq-topics.md).

`faq/<key>` is the retrieval sub-intent; `utter_faq/<key>` in data/responses/faq.yml its answer.
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
