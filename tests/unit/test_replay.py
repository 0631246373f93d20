from channels.replay import replies_to

EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "user", "text": "hi", "message_id": "m1"},
    {"event": "bot", "text": "Hello!", "data": {"buttons": [{"title": "Book", "payload": "/book_appointment"}]}},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "does it hurt", "message_id": "m2"},
    {"event": "bot", "text": "A numbing cream is used.", "data": {}},
    {"event": "bot", "text": "Anything else?", "data": {"custom": {"handoff": "waiting"}}},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "thanks", "message_id": "m3"},
]


def test_the_answer_to_a_handled_message_is_read_back_in_the_channel_shape():
    assert replies_to(EVENTS, "s1", "m1") == [
        {"recipient_id": "s1", "text": "Hello!", "buttons": [{"title": "Book", "payload": "/book_appointment"}]}
    ]
    assert replies_to(EVENTS, "s1", "m2") == [
        {"recipient_id": "s1", "text": "A numbing cream is used."},
        {"recipient_id": "s1", "text": "Anything else?", "custom": {"handoff": "waiting"}},
    ]


def test_a_handled_message_with_no_answer_yet_is_an_empty_list_and_an_unknown_one_is_none():
    assert replies_to(EVENTS, "s1", "m3") == []
    assert replies_to(EVENTS, "s1", "never-sent") is None
    assert replies_to([], "s1", "m1") is None
