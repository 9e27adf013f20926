"""How providers answer a check: per-provider body readers, then the generic
rules every answer falls through to.

A reader gets the HTTP status and the JSON body (``None`` when the body is not
JSON) and returns a :data:`Reading` (verdict, credit line) or ``None`` to let
:func:`generic` decide. Nothing here copies server text into a result: credit
lines are built from numbers and a currency code that must look like one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .result import Verdict

#: (verdict, credit line or None)
Reading = tuple[Verdict, str | None]
#: (HTTP status, JSON body or None) → a reading, or None for the generic rules
Parser = Callable[[int, Any], "Reading | None"]

_CURRENCY = re.compile(r"[A-Z]{3}")

#: Body text that means "this key is not valid" on an HTTP 400 (Gemini's
#: API_KEY_INVALID, xAI's "Incorrect API key provided", …).
KEY_INVALID_MARKERS = (
    "api_key_invalid", "api_key_expired", "incorrect api key", "api key not valid", "api key not found",
    "invalid api key", "invalid_api_key", "invalid x-api-key",
)
#: Body text that means "out of credit" (Hermes' agent/error_classifier.py
#: billing patterns, plus xAI's spending limit and DashScope's arrears).
BILLING_MARKERS = (
    "insufficient credits", "insufficient_quota", "insufficient balance", "insufficient_balance",
    "credit balance", "credits exhausted", "credits have been exhausted", "no usable credits",
    "top up your credits", "payment required", "billing hard limit", "exceeded your current quota",
    "exceeded_current_quota", "out of funds", "balance_depleted", "spending limit", "spending-limit",
    "key limit exceeded", "arrearage",
)
#: Z.AI business codes: in arrears, coding plan expired, usage cap reached.
BILLING_CODES = frozenset({"1113", "1309", "1310"})


def number(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string; ``None`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _currency(value: Any) -> str | None:
    return value if isinstance(value, str) and _CURRENCY.fullmatch(value) else None


def _ok(status: int) -> bool:
    return 200 <= status < 300


def _balance(amount: float, currency: str) -> Reading:
    return ("no_credit" if amount <= 0 else "valid", f"balance {amount:.2f} {currency}")


# -- per-provider readers --------------------------------------------------------------


def openrouter_key(status: int, body: Any) -> Reading | None:
    """``GET /key``: ``data.limit`` / ``data.limit_remaining`` (``null`` when the
    key has no cap, then ``data.usage`` is shown)."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    data = body.get("data")
    if not isinstance(data, dict):
        return ("valid", None)
    limit, left, usage = number(data.get("limit")), number(data.get("limit_remaining")), number(data.get("usage"))
    if limit is not None and left is not None:
        return ("no_credit" if left <= 0 else "valid", f"${max(left, 0.0):.2f} of ${limit:.2f} left")
    return ("valid", f"${usage:.2f} used, no limit" if usage is not None else None)


def deepseek_balance(status: int, body: Any) -> Reading | None:
    """``GET /user/balance``: ``is_available`` and ``balance_infos[].total_balance`` (strings)."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    infos = body.get("balance_infos")
    amounts: list[tuple[float, str]] = []
    for info in infos if isinstance(infos, list) else []:
        if isinstance(info, dict):
            amount, currency = number(info.get("total_balance")), _currency(info.get("currency"))
            if amount is not None and currency is not None:
                amounts.append((amount, currency))
    credit = "balance " + ", ".join(f"{a:.2f} {c}" for a, c in amounts) if amounts else None
    empty = body.get("is_available") is False or (bool(amounts) and all(a <= 0 for a, _ in amounts))
    return ("no_credit" if empty else "valid", credit)


def moonshot_balance(currency: str) -> Parser:
    """``GET users/me/balance`` (Kimi / Moonshot): ``data.available_balance``."""

    def parse(status: int, body: Any) -> Reading | None:
        if not _ok(status) or not isinstance(body, dict):
            return None
        data = body.get("data")
        available = number(data.get("available_balance")) if isinstance(data, dict) else None
        return ("valid", None) if available is None else _balance(available, currency)

    return parse


def xai_api_key(status: int, body: Any) -> Reading | None:
    """``GET api-key``: a disabled or blocked key is rejected; a blocked team
    is out of credit (xAI blocks teams at their spending limit)."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    if body.get("api_key_disabled") is True or body.get("api_key_blocked") is True:
        return ("rejected", None)
    return ("no_credit" if body.get("team_blocked") is True else "valid", None)


#: MiniMax ``base_resp.status_code``: not authorized, invalid key, no balance, rate limit.
_MINIMAX_CODES: dict[int, Reading] = {
    1004: ("rejected", None), 2049: ("rejected", None), 1008: ("no_credit", None), 1002: ("rate_limited", None),
}


def minimax(status: int, body: Any) -> Reading | None:
    """MiniMax answers errors with HTTP 200 and ``base_resp.status_code``."""
    resp = body.get("base_resp") if isinstance(body, dict) else None
    code = resp.get("status_code") if isinstance(resp, dict) else None
    return _MINIMAX_CODES.get(code) if isinstance(code, int) else None


def kilo_balance(status: int, body: Any) -> Reading | None:
    """``GET /api/profile/balance``: ``balance`` (USD) and ``isDepleted``."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    data = body["data"] if isinstance(body.get("data"), dict) else body
    amount = number(data.get("balance"))
    if data.get("isDepleted") is True:
        return ("no_credit", None if amount is None else f"balance {amount:.2f} USD")
    return ("valid", None) if amount is None else _balance(amount, "USD")


def novita_balance(status: int, body: Any) -> Reading | None:
    """``GET /openapi/v1/billing/balance/detail``: ``availableBalance`` in 1/10000 USD."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    amount = number(body.get("availableBalance"))
    return ("valid", None) if amount is None else _balance(amount / 10000, "USD")


def deepinfra_me(status: int, body: Any) -> Reading | None:
    """``GET /v1/me?checklist=true``: ``suspended``; ``checklist.stripe_balance``
    below zero is prepaid money left (above zero is an amount owed, shown as nothing)."""
    if not _ok(status) or not isinstance(body, dict):
        return None
    if body.get("suspended") is True:
        return ("no_credit", None)
    checklist = body.get("checklist")
    owed = number(checklist.get("stripe_balance")) if isinstance(checklist, dict) else None
    return ("valid", f"balance {-owed:.2f} USD" if owed is not None and owed <= 0 else None)


# -- the generic rules ------------------------------------------------------------------


def _billing(text: str, body: Any) -> bool:
    if any(marker in text for marker in BILLING_MARKERS):
        return True
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) in BILLING_CODES


def generic(status: int, body: Any, text: str) -> Reading | None:
    """2xx valid; 401 rejected; 402 out of credit; 403 rejected (out of credit
    when the body says so; could not check when it is not JSON, e.g. a WAF
    page); 400 rejected only when the body says the key is invalid; 429
    rate-limited (out of credit when the body says quota); else ``None``.
    ``text`` is the body, lower-cased."""
    if _ok(status):
        return ("valid", None)
    if status == 401:
        return ("rejected", None)
    if status == 402:
        return ("no_credit", None)
    if status == 403:
        if body is None:
            return None
        return ("no_credit", None) if _billing(text, body) else ("rejected", None)
    if status == 400:
        if any(marker in text for marker in KEY_INVALID_MARKERS):
            return ("rejected", None)
        return ("no_credit", None) if _billing(text, body) else None
    if status == 429:
        return ("no_credit", None) if _billing(text, body) else ("rate_limited", None)
    return None
