"""Rasa's REST channel, guarded: same URL (/webhooks/rest/webhook) and response format.

Differences from rasa.core.channels.rest.RestInput, each for a reason:
- malformed bodies get HTTP 400 with a JSON error instead of a server error;
- a message starting with "/" is an intent only when it is a well-formed command for a
  known intent (the widget's buttons); otherwise it is plain text (Rasa would log it whole);
- a message over `max_message_chars` gets a clear chat reply and never reaches the model;
- a failure while handling a message is logged without the visitor's text (Rasa's own
  channel logs the text), and the visitor is told to call the clinic; so is a message
  handled while the conversation store was down, or when a custom action could not run
  (the action server is down or restarting: channels/store_outage.py);
- both replies are messages.yml texts with the clinic's current details (re-read when
  clinic.yml or messages.yml change, like everywhere else);
- rate limits (clinic.yml's rate_limits, or RATE_LIMIT_* in the environment): past them
  a request gets HTTP 429 with a chat-shaped reply the widget shows, and the model never
  sees the message; counts are per client address (before the body is read) and per
  sender, in Redis when REDIS_URL is set so that every Rasa server shares them
  (storage/rate_limits.py);
- `sender` is required: Rasa's default would put every anonymous visitor in one shared
  conversation called "default";
- a message the client retries (same `message_id`, `"retry": true`) is answered once: if
  its first try reached the conversation, that answer is sent again (channels/replay.py).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from dataclasses import replace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import action_results, live, store_outage
from channels.payload import SENDER_PATTERN, PayloadError, TooLong, check_payload, plain_text_unless_command
from channels.replay import replies_to
from clinic.limits import MAX_MESSAGE_CHARS, effective_rate_limits
from clinic.settings import RateLimits, current_settings
from clinic.texts import render
from storage.conversations import SAFETY_SLOT, TrackerReader
from storage.handoffs import HandoffStore
from storage.rate_limits import RateLimiter, Verdict, counts_from_env

logger = logging.getLogger(__name__)
# Every Rasa server serving visitors loads this channel (credentials.yml): the place to
# make Rasa's check of action server replies cheap (channels/action_results.py).
action_results.install()


UPDATES_PER_VISITOR_PER_MINUTE = 60


def client_address(request: Request) -> str:
    """The visitor's address: behind our nginx, the X-Real-IP it sets (Sanic reads it when
    SANIC_REAL_IP_HEADER names it, as `make cluster` does); else the connection's peer."""
    return str(request.remote_addr or request.ip or "unknown")


class GuardedRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def __init__(self, max_message_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = max_message_chars
        # Rendered now, so that a bad settings or messages file stops the server at start,
        # and kept as the reply of last resort if rendering fails while something else fails.
        self.last_resort_failure_text = self._failure_text()
        self._tracker_reader: Optional[TrackerReader] = None  # made on first use
        self._handoff_store: Optional[HandoffStore] = None
        self._limiter = RateLimiter(counts_from_env())
        effective_rate_limits(current_settings().rate_limits)  # a bad RATE_LIMIT_* stops the start
        store_outage.watch_action_failures()

    def _failure_text(self) -> str:
        return render("server_failure", current_settings()).text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/updates", methods=["GET"])
        async def updates(request: Request) -> HTTPResponse:
            # No API token: the widget calls this. It reveals one conversation's staff lines
            # and hand-off state, to whoever holds its random sender id, and nothing else.
            sender = request.args.get("sender") or ""
            if not SENDER_PATTERN.match(sender):
                return response.json({"error": "'sender' is missing or not a conversation id"}, status=400)
            # The widget asks every 2 s during a hand-off: twice that rate per conversation is plenty.
            limit = UPDATES_PER_VISITOR_PER_MINUTE if self._rate_limits().per_visitor_per_minute else 0
            polled = await self._limiter.check("updates", sender, limit)
            if not polled.allowed:
                return response.json(
                    {"error": "asking for updates too often"},
                    status=429,
                    headers={"Retry-After": str(polled.retry_after)},
                )
            try:
                reply = live.updates(
                    sender,
                    live.parse_since(request.args.get("since")),
                    self._reader(),
                    self._handoffs(),
                    current_settings(),
                )
            except Exception:
                logger.exception("Reading live hand-off updates failed.")
                return response.json({"error": "updates are unavailable for a moment"}, status=503)
            return response.json(reply)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            limits = self._rate_limits()
            by_address = await self._limiter.check("address", client_address(request), limits.per_address_per_minute)
            if not by_address.allowed:
                return self._rate_limited_reply("", by_address)
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage on a body that is not JSON
                body = None
            checked = check_payload(body, self.max_message_chars)
            if isinstance(checked, PayloadError):
                return response.json({"error": checked.error}, status=400)
            by_sender = await self._limiter.check("sender", checked.sender, limits.per_visitor_per_minute)
            if not by_sender.allowed:
                return self._rate_limited_reply(checked.sender, by_sender)
            if isinstance(checked, TooLong):
                return response.json(self._too_long_reply(checked))

            agent = getattr(request.app.ctx, "agent", None)
            text = plain_text_unless_command(checked.text, agent.domain.intents if agent and agent.domain else ())
            if not text:
                return response.json({"error": "'message' is empty"}, status=400)
            checked = replace(checked, text=text)
            collector = CollectingOutputChannel()
            try:
                live.before_message(checked.sender, checked.text, self._handoffs())
            except Exception:  # the queue's database is down: the message is still answered
                logger.exception("Live hand-off queue unavailable (text not logged).")
            message = UserMessage(
                checked.text,
                collector,
                checked.sender,
                input_channel=self.name(),
                metadata=checked.metadata,
                message_id=checked.message_id,
            )
            try:
                with store_outage.watching() as outage:
                    if checked.retry:
                        await self._handle_retry(request, message, collector)
                    else:
                        await on_new_message(message)
                if outage.happened:  # answered from an empty conversation: not an answer to give
                    logger.error("The conversation store was unavailable; the visitor was given the phone.")
                    return response.json(self._failure_reply(checked.sender))
                if outage.write_failed:  # answered, not saved: the answer stands (the log says why)
                    logger.error("The conversation could not be saved (disk full or read-only, or the database).")
                if outage.action_failed:  # what was answered stands; the visitor learns the rest failed
                    logger.error("A custom action could not run; the visitor was given the phone.")
                    return response.json([*collector.messages, *self._failure_reply(checked.sender)])
            except CancelledError:
                logger.error("Handling a REST message timed out (text not logged).")
                return response.json(self._failure_reply(checked.sender))
            except Exception:
                logger.exception("Handling a REST message failed (text not logged).")
                return response.json(self._failure_reply(checked.sender))
            messages = list(collector.messages)
            advice = await self._safety_during_handoff(request, checked.sender, checked.text, answered=bool(messages))
            if advice is not None:
                messages.append({"recipient_id": checked.sender, "text": advice})
            return response.json(messages)

        return webhook

    async def _handle_retry(self, request: Request, message: UserMessage, collector: CollectingOutputChannel) -> None:
        """A message sent again after no answer: if its first try reached the conversation,
        send that answer again; else handle it now. Both under the conversation's lock (as
        Agent.handle_message takes it), so a first try still running elsewhere finishes first."""
        agent = request.app.ctx.agent
        async with agent.lock_store.lock(message.sender_id):
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            events = [event.as_dict() for event in tracker.events] if tracker else []
            earlier = replies_to(events, message.sender_id, str(message.message_id))
            if earlier is not None:
                collector.messages.extend(earlier)
                return
            await agent.processor.handle_message(message)

    def _reader(self) -> TrackerReader:
        if self._tracker_reader is None:
            self._tracker_reader = TrackerReader()
        return self._tracker_reader

    def _handoffs(self) -> HandoffStore:
        if self._handoff_store is None:
            self._handoff_store = HandoffStore()
        return self._handoff_store

    async def _safety_during_handoff(self, request: Request, sender: str, text: str, answered: bool) -> Optional[str]:
        """A red flag from a visitor in the hand-off queue is flagged to staff; while a person has
        the conversation (Rasa paused, nothing answered), the channel gives the advice itself."""
        try:
            advice = live.red_flag_advice(sender, text, self._handoffs(), current_settings())
            if advice is None or answered:
                return None
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender):
                tracker = await agent.tracker_store.retrieve(sender)
                if tracker is None or not tracker.is_paused():
                    return None
                tracker.update(BotUttered(advice.text, metadata={"handoff": "safety"}))
                tracker.update(SlotSet(SAFETY_SLOT, list(advice.flags)))
                await agent.tracker_store.save(tracker)
            return advice.text
        except Exception:
            logger.exception("Safety during a live hand-off failed (text not logged).")
            return None

    def _rate_limits(self) -> RateLimits:
        try:
            return effective_rate_limits(current_settings().rate_limits)
        except Exception:  # settings unreadable right now: the defaults still protect
            return effective_rate_limits(RateLimits())

    def _rate_limited_reply(self, sender: str, verdict: Verdict) -> HTTPResponse:
        try:
            text = render("rate_limited", current_settings(), seconds=verdict.retry_after).text
        except Exception:
            text = self.last_resort_failure_text
        return response.json(
            [{"recipient_id": sender, "text": text}],
            status=429,
            headers={"Retry-After": str(verdict.retry_after)},
        )

    def _too_long_reply(self, too_long: TooLong) -> List[Dict[str, Any]]:
        text = render("message_too_long", current_settings(), length=too_long.length, limit=too_long.limit).text
        return [{"recipient_id": too_long.sender, "text": text}]

    def _failure_reply(self, sender: str) -> List[Dict[str, Any]]:
        try:
            text = self._failure_text()  # today's phone, if staff changed it
        except Exception:  # never fail while reporting a failure
            text = self.last_resort_failure_text
        return [{"recipient_id": sender, "text": text}]
