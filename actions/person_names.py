"""PERSON names in a message, from spaCy's NER, for the booking form's name question.

Runs in the action server, only when a visitor answers "What's your name?", instead of in
the NLU pipeline on every message (a second spaCy pass there cost every message ~4 ms).
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, List, Optional

from clinic.paths import SPACY_MODEL_PATH

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _ner() -> Optional[Any]:
    try:
        with _without_tensorflow():
            import spacy

        return spacy.load(str(SPACY_MODEL_PATH), disable=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    except (ImportError, OSError) as error:  # no model: names still work from the text alone
        logger.warning("spaCy NER unavailable (%s); names come from the text alone", type(error).__name__)
        return None


@contextmanager
def _without_tensorflow() -> Iterator[None]:
    """spaCy's thinc imports TensorFlow when it can, only to offer TF models this action
    server never uses; that import alone made the action server ~350 MB bigger."""
    if "tensorflow" in sys.modules:
        yield
        return
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # makes `import tensorflow` fail
    try:
        yield
    finally:
        del sys.modules["tensorflow"]


def person_names(text: str) -> List[str]:
    nlp = _ner()
    if nlp is None or not text:
        return []
    # A lone surrogate (JSON allows "\ud800") made spaCy raise UnicodeEncodeError: it becomes "?".
    safe = text[:200].encode("utf-8", "replace").decode("utf-8")
    return [entity.text for entity in nlp(safe).ents if entity.label_ == "PERSON"]
