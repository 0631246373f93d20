"""Limits on what visitors send, defined once for the channel, the widget page and the tests."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Dict, Mapping, Optional

from clinic.settings import RateLimits

# Longer messages get a chat reply asking for a shorter one and never reach the model: a
# real question is a few sentences, and the model's cost grows with the length.
MAX_MESSAGE_CHARS = 1000

# Requests over this size are refused with HTTP 413 by every server of ours (Sanic reads
# SANIC_REQUEST_MAX_SIZE; the console sets it itself): a chat message is at most a few KB.
MAX_REQUEST_BYTES = 64 * 1024

# Environment variables that override clinic.yml's rate_limits for one run (0 = off), e.g.
# for a load test from one address. Settings file first, so staff can see what holds.
RATE_LIMIT_ENV_VARS = {
    "per_visitor_per_minute": "RATE_LIMIT_PER_SENDER",
    "per_address_per_minute": "RATE_LIMIT_PER_CLIENT",
    "console_sign_ins_per_address_per_minute": "RATE_LIMIT_SIGN_INS",
}


def effective_rate_limits(configured: RateLimits, environ: Optional[Mapping[str, str]] = None) -> RateLimits:
    """clinic.yml's limits, with any RATE_LIMIT_* variable set in the environment instead."""
    environ = os.environ if environ is None else environ
    overrides: Dict[str, int] = {}
    for field_name, variable in RATE_LIMIT_ENV_VARS.items():
        value = environ.get(variable, "").strip()
        if value:
            if not value.isdigit():
                raise ValueError(f"{variable} must be a whole number (0 = no limit), not {value!r}")
            overrides[field_name] = int(value)
    return replace(configured, **overrides) if overrides else configured
