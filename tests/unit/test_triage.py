import pytest

from clinic.triage import Urgency, assess_urgency


@pytest.mark.parametrize(
    "report",
    [
        "I had microneedling yesterday and the bleeding won't stop",
        "heavy bleeding from my cheek after the session",
        "my face is bleeding a lot and I can't stop the bleeding",
        "I have a fever since my treatment",
        "feeling feverish and my skin is hot after micro needling",
        "the redness is spreading down my neck",
        "there are red streaks going from the treated area",
        "my lips are swelling up and I have trouble breathing",
        "I feel dizzy and fainted after the treatment",
        "this is an emergency, my skin is burning",
        "I think my face is infected, there is a yellow crust",  # signs of infection (issue 12)
    ],
)
def test_severe_signs_go_to_the_emergency_number(report):
    assert assess_urgency(report) is Urgency.EMERGENCY


@pytest.mark.parametrize(
    "report",
    [
        "a little bit of bleeding after my microneedling",
        "I have some bruising on my cheek after the treatment",
        "my skin is peeling three days after",
        "my skin is still red and itchy after the session",
        "",
    ],
)
def test_other_problems_go_to_the_clinic(report):
    assert assess_urgency(report) is Urgency.CALL_CLINIC
