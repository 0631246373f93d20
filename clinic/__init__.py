"""The clinic's rules as plain functions: settings, hours, dates, names, phones, prices,
triage, topics and the visitor-facing texts. No Rasa, SQLAlchemy or spaCy here
(`lint-imports` holds that line); everything is unit-tested on its own.
"""
