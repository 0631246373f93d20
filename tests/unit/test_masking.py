import pytest

from staff.masking import mask_personal_data


@pytest.mark.parametrize(
    "text, expected",
    [
        ("call me on (212) 555-0199 please", "call me on [phone] please"),
        ("my mobile is +44 20 7946 0958", "my mobile is [phone]"),
        ("ring 2125550199 or 0412 345 678", "ring [phone] or [phone]"),
        ("mail me at jane.doe+clinic@mail.example.com", "mail me at [email]"),
        ("it takes 30 minutes, plan 2 hours", "it takes 30 minutes, plan 2 hours"),
        ("can I come on 2026-12-03", "can I come on 2026-12-03"),
        ("I'm 34 and had it done on the 3rd", "I'm 34 and had it done on the 3rd"),
    ],
)
def test_phone_numbers_and_emails_are_masked_and_nothing_else(text, expected):
    assert mask_personal_data(text, "US") == expected
