import asyncio

import pytest

from actions.safety import ActionSymptomAdvice


@pytest.mark.parametrize(
    "report, response",
    [
        ("I have some bruising after my microneedling", "utter_symptom_call_doctor"),
        ("my skin is peeling after the treatment", "utter_symptom_call_doctor"),
        ("I had it done on monday and now I have a fever", "utter_symptom_emergency"),
        ("the bleeding won't stop after my session", "utter_symptom_emergency"),
    ],
)
def test_symptom_report_gets_the_right_call_to_action(dispatcher, make_tracker, report, response):
    events = asyncio.run(ActionSymptomAdvice().run(dispatcher, make_tracker(report, "report_symptom"), {}))
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [response]
