"""Questions the article can't answer, asked in a topic's words: the honest reply, not the topic.

"how many weeks between sessions" and "does it suit olive skin tones" share nearly every
word with the results and conditions questions, and the classifier answers them with those
topics: to a visitor, a wrong answer. When the classifier's intent is a FAQ topic and the
message asks for something the article never says (clinic/article_gaps.py: time between
sessions, how long results last, needle details, skin types and tones), the intent becomes
`ask_beyond_article` with the classifier's confidence, and the parse result names the gap
under `article_gap` (for staff and the benchmark). A price question keeps its answer: the
clinic's prices come from its settings, whatever schedule the visitor mentions.

Runs after the domain gate (an off-topic message is already out_of_scope) and the safety net
(a red flag, or an unsure message it reads as a report from the classifier's own guesses, is
already a symptom report), and before the topic clarifier.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.article_gaps import article_gap
from components.base import ConfiguredComponent
from components.verdict import overrule

RETRIEVAL_INTENT = "faq"
BEYOND_INTENT = "ask_beyond_article"
GAP_KEY = "article_gap"
# Topics whose answer stands whatever the gap: "packages if I come every few weeks?" asks a price.
ANSWERED_WHATEVER_THE_GAP = frozenset({"faq/cost"})


def faq_topic(message: Message) -> str:
    """The classifier's best FAQ topic ("faq/results"), or "" when it gave none."""
    selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
    return str((selected.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}).get(INTENT_RESPONSE_KEY) or "")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ArticleGapGate(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != RETRIEVAL_INTENT or faq_topic(message) in ANSWERED_WHATEVER_THE_GAP:
                continue
            gap = article_gap(message.get(TEXT) or "")
            if gap:
                overrule(message, BEYOND_INTENT, float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                message.set(GAP_KEY, gap, add_to_output=True)
        return messages
