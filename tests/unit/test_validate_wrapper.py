from ops.validate import data_warnings

SAMPLE = """\
2026-11-25 03:44:31 INFO     rasa.validator  - Validating intents...
\x1b[93m/venv/rasa/shared/utils/io.py:100: UserWarning: The intent 'change_booking' is not used in any story or rule.
\x1b[0m\x1b[93m/venv/rasa/shared/utils/io.py:100: UserWarning: The following duplicated intents have been found across multiple domain files: faq
  More info at https://rasa.com/docs/rasa/domain
\x1b[0m/venv/rasa/shared/utils/validation.py:134: DeprecationWarning: pkg_resources is deprecated as an API.
/venv/rasa/shared/utils/io.py:100: UserWarning: Issue found in 'data/rules/faq.yml':
Found intent 'faq' in stories which is not part of the domain.
  More info at https://rasa.com/docs/rasa/stories
2026-11-25 03:44:31 INFO     rasa.validator  - Story structure validation...
"""


def test_real_warnings_are_reported_and_the_known_false_positive_is_not():
    warnings = data_warnings(SAMPLE)
    assert len(warnings) == 2
    assert warnings[0].startswith("The intent 'change_booking' is not used")
    assert "Found intent 'faq' in stories" in warnings[1]


def test_clean_output_has_no_warnings():
    assert data_warnings("2026-11-25 03:44:31 INFO     rasa.validator  - No story structure conflicts found.\n") == []
