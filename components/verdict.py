"""One step the pipeline's rule-based components share: overrule the model's intent."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message


def overrule(message: Message, intent_name: str, confidence: float) -> None:
    """Make `intent_name` the message's intent, and the only entry in its ranking."""
    intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, intent, add_to_output=True)
    # The model's own guesses are dropped: kept beside the verdict, the FallbackClassifier
    # would read a close second as ambiguity and answer "I didn't understand".
    message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
