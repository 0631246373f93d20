"""A safety net in the NLU pipeline: a message with a red flag is a symptom report, and so is
a skin change on the visitor's own skin after a treatment.

It runs after the intent classifier and the domain gate, and before the
FallbackClassifier, on every message in every state (the first message, mid-form,
mid-hand-off, or a message the model did not understand), and sets the intent to
`report_symptom` with full confidence when the message reports a red flag from
red_flags.yml or the clinic's own list in clinic.yml, or an after-treatment worry about
the visitor's own skin ("had it done yesterday and my chin is flaking, is that ok?"),
which the model tends to answer with the article's recovery answer. A message the model
is unsure of goes the same way when the visitor says they have had a treatment, or when a
report is among the model's two best guesses ("lips doubled in 20 min, top lip sticking out
like a slug"): the report path reads it, instead of "I didn't understand". The model can then
never answer a red flag with an FAQ answer or "I didn't understand". General questions
("can it cause an infection?", "how long will my face be red?") are left to the model.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Sequence, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.red_flags import RedFlag, Sign
from clinic.settings import SettingsError, current_settings
from clinic.triage import (
    described_red_flags,
    is_after_treatment_report,
    is_general_question,
    signs_for,
    speaks_of_own_treatment,
    triage,
)
from components.base import ConfiguredComponent
from components.verdict import overrule

logger = logging.getLogger(__name__)
REPORT_INTENT = "report_symptom"
RED_FLAGS_KEY = "red_flags"  # the signs found, in the parse result (for staff and tests)


def _clinic_signs() -> Sequence[Sign]:
    try:
        return current_settings().red_flags
    except SettingsError:  # the shared list still applies; a bad file is reported at start
        return ()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagSafetyNet(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # The FallbackClassifier's threshold (config.yml): below it the visitor would get
        # "I didn't understand". `report_among_best`: an unsure message of at least
        # `report_min_words` words whose report guess is among the classifier's this many best
        # goes the report way too. Fewer words are an answer to the form's question ("Faulty
        # Tester" is a name), not a report.
        # `second_opinion_at`: how sure the severity model must be to make a report of a
        # message from someone just treated that the classifier confidently read as
        # something else (over every labelled bench text, nothing but red flags scored this high).
        return {"unsure_below": 0.5, "report_among_best": 2, "report_min_words": 5, "second_opinion_at": 0.95}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/") or is_general_question(text):
                continue
            flags = triage(text, _clinic_signs()).red_flags
            if flags:
                mark_as_report(message, [flag.key for flag in flags])
            elif is_after_treatment_report(text, _clinic_signs()):
                mark_as_report(message, [])
            elif speaks_of_own_treatment(text) and (described := self._second_opinion(text)):
                # "my husband is totally out of it 3 hours after his session ... can't tell me
                # his own phone number": someone just treated, in words the list lacks, which
                # the model may answer confidently with a topic or the clinic's details. Out of
                # the reports it learnt from, the severity model also scores questions high
                # ("had my session this morning, what are your hours?" 0.77), so only a
                # near-certain reading overrules the model here.
                mark_as_report(message, [flag.key for flag in described])
            elif self._unsure(message) and (speaks_of_own_treatment(text) or self._may_be_a_report(message)):
                # "had needling today and my husband says i am talking nonsense", "lips
                # doubled in 20 min, top lip sticking out like a slug": not understood, but
                # from someone just treated or read as a report by the classifier's best
                # guesses; the FallbackClassifier would ask them to rephrase. The report
                # path reads it instead (severity model), and at worst gives the clinic's phone.
                mark_as_report(message, [])
        return messages

    def _may_be_a_report(self, message: Message) -> bool:
        if len((message.get(TEXT) or "").split()) < self._config["report_min_words"]:
            return False
        ranking = message.get(INTENT_RANKING_KEY) or []
        best = [guess.get(INTENT_NAME_KEY) for guess in ranking[: self._config["report_among_best"]]]
        return REPORT_INTENT in best

    def _second_opinion(self, text: str) -> Tuple[RedFlag, ...]:
        return described_red_flags(text, signs_for(_clinic_signs()), at_least=float(self._config["second_opinion_at"]))

    def _unsure(self, message: Message) -> bool:
        guess = message.get(INTENT) or {}
        return bool((guess.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < self._config["unsure_below"])


def mark_as_report(message: Message, flags: List[str]) -> None:
    """Make `message` a symptom report with full confidence, whatever the model said."""
    overrule(message, REPORT_INTENT, 1.0)
    message.set(RED_FLAGS_KEY, flags, add_to_output=True)
