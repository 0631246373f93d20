"""The buttons' questions as entities: one step the topic clarifier and the not-understood
reply's suggestions share (components/topic_clarifier.py, components/fallback_suggestions.py)."""

from __future__ import annotations

from typing import Sequence

from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.topics import CHOICE_SLOTS


def add_choice_entities(message: Message, questions: Sequence[str], extractor: str) -> None:
    """Name `questions` (at most two) as the entities `faq_choice_1` and `faq_choice_2`, whose
    slots fill the buttons. Each entity spans the whole message: the choice comes from all of
    it, and Rasa's own tools (`rasa test`, the tracker) expect every entity to have a span."""
    entities = [
        {
            ENTITY_ATTRIBUTE_TYPE: slot,
            ENTITY_ATTRIBUTE_VALUE: question,
            ENTITY_ATTRIBUTE_START: 0,
            ENTITY_ATTRIBUTE_END: len(message.get(TEXT) or ""),
            EXTRACTOR: extractor,
        }
        for slot, question in zip(CHOICE_SLOTS, questions)
    ]
    message.set(ENTITIES, [*(message.get(ENTITIES) or []), *entities], add_to_output=True)
