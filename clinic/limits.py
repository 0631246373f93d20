"""Limits on what visitors send, defined once for the channel, the widget page and the tests."""

# Longer messages get a chat reply asking for a shorter one and never reach the model: a
# real question is a few sentences, and the model's cost grows with the length.
MAX_MESSAGE_CHARS = 1000
