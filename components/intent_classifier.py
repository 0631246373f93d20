"""The intent and the FAQ topic in the NLU pipeline, from one TF-IDF classifier.

It takes the place of DIET and the ResponseSelector (components/intent_model.py says why)
and reports what they would: the intent with its ranking, and for the retrieval intent
`faq` the ResponseSelector's output (`response_selector.faq.response.intent_response_key`,
`utter_action`, the topics' ranking), which shared/spec/faq-topics.md and Rasa's
`utter_faq` action read. The domain gate, the safety net and the FallbackClassifier run
after it, as they did after DIET.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic import text_features
from components import intent_model, model_files, sentence_encoder
from components.base import StoredComponent

logger = logging.getLogger(__name__)
MODEL_FILE = "intent_model.joblib"
# Rasa's recipe validator warns at every training that a pipeline without its own
# ResponseSelector class leaves the `faq` examples unused; this component uses them.
warnings.filterwarnings(
    "ignore", message="You have defined training data with examples for training a response selector"
)
RANKING_LENGTH = 10  # as DIET's default: enough for the staff console and the fallback's second guess


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SparseIntentClassifier(StoredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 10.0,
            # Ask the sentence encoder when the n-gram classifier's best label is below
            # `cascade_below`, and average with this weight on its answer (chosen on
            # bench/dev.tsv, README "Understanding figures"). False: n-grams alone.
            "sentence_encoder": True,
            "cascade_below": 0.7,
            "encoder_weight": 0.5,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # How the model learns lives in these files, which Rasa's cache cannot see.
        sources = [intent_model.__file__, text_features.__file__, sentence_encoder.__file__]
        return model_files.file_digest([Path(source) for source in sources])

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._stored = stored or {}
        self._encode: Optional[intent_model.Encode] = None

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            if example.get(TEXT):
                texts.append(example.get(TEXT))
                labels.append(example.get(INTENT_RESPONSE_KEY) or example.get(INTENT))
        embeddings = None
        if self._config["sentence_encoder"]:
            # No silent fallback at training: a model without the encoder would be a worse
            # model that nobody asked for. `make install` puts the encoder in place.
            embeddings = sentence_encoder.shared_encoder().encode(texts)
        model = intent_model.fit(
            texts,
            labels,
            self._config["C"],
            embeddings,
            self._config["cascade_below"],
            self._config["encoder_weight"],
        )
        retrieval_intents = sorted({intent_model.split_label(label)[0] for label in labels if "/" in label})
        self._stored = {"model": model, "responses": training_data.responses, "retrieval_intents": retrieval_intents}
        self._encode = _encoder_for(self._stored)
        model_files.save(self._model_storage, self._resource, MODEL_FILE, self._stored)
        logger.info(f"Intent model trained on {len(texts)} examples, {len(set(labels))} labels")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SparseIntentClassifier:
        stored = model_files.load(model_storage, resource, MODEL_FILE)
        if stored is None:
            logger.warning("No trained intent model in this model: every message is left unclassified.")
        elif not isinstance(stored.get("model"), intent_model.IntentModel):
            # A model trained before the sentence encoder stored the n-gram pipeline alone.
            stored["model"] = intent_model.IntentModel(stored["model"])
        loaded = cls(config, model_storage, resource, stored)
        loaded._encode = _encoder_for(stored)
        return loaded

    def process(self, messages: List[Message]) -> List[Message]:
        model = self._stored.get("model")
        if model is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            reading = intent_model.guess(model, text, self._encode)
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in reading.intents]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:RANKING_LENGTH], add_to_output=True)
            self._set_selector(message, reading)
        return messages

    def _set_selector(self, message: Message, reading: intent_model.Guess) -> None:
        """The ResponseSelector's output for each retrieval intent, whatever the intent (as
        Rasa's own does: the staff console shows the topic beside any guess)."""
        retrieval_intents: List[str] = self._stored.get("retrieval_intents", [])
        selector: Dict[str, Any] = {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: retrieval_intents}
        for intent in retrieval_intents:
            topics = reading.topics.get(intent) or []
            if not topics:
                continue
            best, confidence = topics[0]
            utter_action = f"utter_{best}"
            selector[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self._stored.get("responses", {}).get(utter_action, []),
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: key} for key, p in topics[:RANKING_LENGTH]
                ],
            }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)


def _encoder_for(stored: Optional[Dict[str, Any]]) -> Optional[intent_model.Encode]:
    """The encoder a trained model asks when unsure, loaded now (not on a visitor's first
    message); without it the n-gram classifier answers alone, and the log says so."""
    model = (stored or {}).get("model")
    if model is None or getattr(model, "dense", None) is None:
        return None
    return sentence_encoder.warm_shared_encoder("the intent classifier answers with n-grams alone")
