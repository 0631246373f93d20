"""Plain clinic logic with no Rasa imports: settings, hours, triage, topics.

Rasa actions in `actions/` call into this package; everything here is unit-tested on its own.
"""
