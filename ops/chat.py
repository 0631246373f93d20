"""A terminal chat over the REST webhook: what a visitor sees, buttons numbered."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any, Dict, List


def send(rasa_url: str, sender: str, text: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        replies: List[Dict[str, Any]] = json.loads(reply.read())
        return replies


def chat_loop(rasa_url: str) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    buttons: List[Dict[str, str]] = []
    print("Type a message (or a button's number); Ctrl-D or 'quit' to leave.")
    while True:
        try:
            text = input("You: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text.lower() in {"quit", "exit"}:
            return
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        if not text:
            continue
        buttons = []
        for message in send(rasa_url, sender, text):
            if message.get("text"):
                print(f"Bot: {message['text']}")
            for button in message.get("buttons", []):
                buttons.append(button)
                print(f"     [{len(buttons)}] {button['title']}")
