"""Not understood, but not clueless: the not-understood reply offers the model's best guesses.

Runs after the FallbackClassifier. When a message became `nlu_fallback`, the classifier's own
ranking is still there (the FallbackClassifier puts `nlu_fallback` in front of it). If its
best guesses are things the assistant can do (a FAQ topic, booking, a person), the two best
of those among its top three become the reply's buttons (with only one, a person is the
second): "Sorry, I'm not sure I understood. Did you mean ...?" instead of four fixed
topics (Rasa's two-stage fallback, for this assistant's labels). Only when the classifier's
best intent is one of those (not small talk, off-topic or beyond the article) and the
domain gate, where it read the message, found it more likely the clinic's than not. "need
an appt asap" (booking 0.44) gets "I'd like to book an appointment" as its first button.
What the visitor is told is unchanged otherwise: the
intent stays `nlu_fallback`, so every rule, story and decline works as before; only
action_ask_rephrase (actions/fallback.py) reads the buttons, from the entities
`faq_choice_1` and `faq_choice_2` (the same slots the topic clarifier's buttons use). The
labels offered are listed in the parse result under `suggested` (bench, staff, tests).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RANKING_KEY
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.texts import MessageError, load_messages, suggestion_questions
from clinic.topics import SUGGESTED_INTENTS
from components.base import ConfiguredComponent
from components.choice_entities import add_choice_entities
from components.domain_gate import DOMAIN_KEY

FALLBACK_INTENT = "nlu_fallback"
RETRIEVAL_INTENT = "faq"
EXTRACTOR_NAME = "FallbackSuggestions"
SUGGESTED_KEY = "suggested"  # the labels offered, in the parse result


def _questions() -> Dict[str, str]:
    try:
        return suggestion_questions(load_messages())
    except MessageError:  # a broken messages.yml is reported at start; the plain reply stays
        return {}


def ranked_labels(
    intent_ranking: Sequence[Dict[str, Any]], topic_ranking: Sequence[Dict[str, Any]]
) -> List[Tuple[str, float]]:
    """The classifier's labels, best first: a FAQ guess is split into its topics (`faq/<topic>`,
    the intent's confidence times the topic's share), so topics and intents compare."""
    labels: List[Tuple[str, float]] = []
    for entry in intent_ranking:
        name, confidence = entry.get(INTENT_NAME_KEY), float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if name == FALLBACK_INTENT or not name:
            continue
        if name == RETRIEVAL_INTENT:
            labels.extend(
                (topic[INTENT_RESPONSE_KEY], confidence * float(topic[PREDICTED_CONFIDENCE_KEY]))
                for topic in topic_ranking
            )
        else:
            labels.append((name, confidence))
    return sorted(labels, key=lambda pair: -pair[1])


PERSON = "request_human"


def _can_act_on(label: str) -> bool:
    return label.startswith(f"{RETRIEVAL_INTENT}/") or label in SUGGESTED_INTENTS


def suggestions(labels: Sequence[Tuple[str, float]], best_intent: str, among: int) -> List[str]:
    """The two best labels the assistant can act on among the `among` best, or [] when the
    best intent is none of them (off-topic chatter, a question beyond the article). With
    only one, a person is the second button: the visitor always has a way out of a wrong guess."""
    if best_intent != RETRIEVAL_INTENT and best_intent not in SUGGESTED_INTENTS:
        return []
    offered = [label for label, _ in labels[:among] if _can_act_on(label)]
    if len(offered) == 1 and offered[0] != PERSON:
        offered.append(PERSON)
    return offered[:2] if len(offered) >= 2 else []


def best_intent(intent_ranking: Sequence[Dict[str, Any]]) -> str:
    """The classifier's own best intent, behind the FallbackClassifier's `nlu_fallback`."""
    names = [entry.get(INTENT_NAME_KEY) for entry in intent_ranking if entry.get(INTENT_NAME_KEY) != FALLBACK_INTENT]
    return str(names[0]) if names and names[0] else ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FallbackSuggestions(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The buttons come from the classifier's three best labels: further down its guesses
        # are rarely right (README, "Understanding figures").
        # And only when the domain gate, where it read the message, found it more likely
        # the clinic's than not: "do u sell concert tickets" (0.19) gets no "Did you mean
        # the cost?".
        return {"among": 3, "min_in_domain": 0.5}

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        super().__init__(config)
        self._among = int(self._config["among"])
        self._min_in_domain = float(self._config["min_in_domain"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != FALLBACK_INTENT:
                continue
            in_domain = message.get(DOMAIN_KEY)
            if in_domain is not None and in_domain < self._min_in_domain:
                continue
            selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            labels = ranked_labels(ranking, selector.get(RESPONSE_SELECTOR_RANKING_KEY) or [])
            offered = suggestions(labels, best_intent(ranking), self._among)
            questions = _questions()
            if not offered or not all(label in questions for label in offered):
                continue  # nothing to offer, or no question for a button: the plain reply
            add_choice_entities(message, [questions[label] for label in offered], EXTRACTOR_NAME)
            message.set(SUGGESTED_KEY, offered, add_to_output=True)
        return messages
