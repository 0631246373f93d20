"""Ask instead of guess: when two FAQ topics are nearly as likely, the visitor chooses.

Runs after the intent classifier, the domain gate and the safety net. For a FAQ question
whose two best topics are closer than `margin`, it points Rasa's `utter_faq` at the
`utter_faq/which_topic` response ("Which of these did you mean?") and names the two
topics' questions as the entities `faq_choice_1` and `faq_choice_2`; their slots fill the
response's two buttons, and a click sends that topic's question. The parse result keeps
the best topic as `intent_response_key` (shared/spec/faq-topics.md) and lists both, in
the article's order, in `faq_choices`. The questions are in messages.yml (topic_question_<topic>). Rules and
stories need nothing new: the action is still `utter_faq`, in any state, the booking form
included.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.texts import MessageError, load_messages, topic_questions
from clinic.topics import FAQ_TOPICS
from components.base import ConfiguredComponent
from components.choice_entities import add_choice_entities

RETRIEVAL_INTENT = "faq"
ASK_RESPONSE = "utter_faq/which_topic"
EXTRACTOR_NAME = "TopicClarifier"
CHOICES_KEY = "faq_choices"  # the two topics offered, in the parse result (bench, staff, tests)


def _questions() -> Dict[str, str]:
    try:
        return topic_questions(load_messages())
    except MessageError:  # a broken messages.yml is reported at start; answer as before
        return {}


def _article_order(key: str) -> int:
    topic = key.split("/", 1)[-1]
    return FAQ_TOPICS.index(topic) if topic in FAQ_TOPICS else len(FAQ_TOPICS)


def close_pair(ranking: List[Dict[str, Any]], margin: float) -> List[str]:
    """The two best topics' keys when their confidences are within `margin`, else []."""
    if len(ranking) < 2:
        return []
    first, second = ranking[0], ranking[1]
    if first[PREDICTED_CONFIDENCE_KEY] - second[PREDICTED_CONFIDENCE_KEY] >= margin:
        return []
    return [first[INTENT_RESPONSE_KEY], second[INTENT_RESPONSE_KEY]]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TopicClarifier(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Chosen by 5-fold cross-validation on the training data (README, "Ask instead of
        # guess"): below 0.1 the offered pair held the right topic when the best guess was
        # wrong more often than it delayed a right answer (3.5% vs 2.9% of FAQ questions).
        return {"margin": 0.1}

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        super().__init__(config)
        self._margin = float(self._config["margin"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != RETRIEVAL_INTENT:
                continue
            selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
            keys = close_pair(selected.get(RESPONSE_SELECTOR_RANKING_KEY) or [], self._margin)
            # The buttons in the article's order, not by a near-tie that any new example flips.
            keys.sort(key=_article_order)
            topics = [key.split("/", 1)[-1] for key in keys]
            questions = _questions()
            if len(topics) < 2 or not all(topic in questions for topic in topics):
                continue  # no question for a button: answer the best topic, as before
            selected[RESPONSE_SELECTOR_PREDICTION_KEY][RESPONSE_SELECTOR_UTTER_ACTION_KEY] = ASK_RESPONSE
            add_choice_entities(message, [questions[topic] for topic in topics], EXTRACTOR_NAME)
            message.set(CHOICES_KEY, keys, add_to_output=True)
        return messages
