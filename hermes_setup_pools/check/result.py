"""What a key check found, and the one line that says so.

No field ever holds the key: ``reason`` comes from a fixed vocabulary (plus an
HTTP status code), ``credit`` is formatted from numbers and a checked currency
code, and ``host`` is taken from the base URL (which may not carry credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["valid", "rejected", "no_credit", "rate_limited", "unknown", "unsupported"]

@dataclass(frozen=True)
class CheckResult:
    """The answer to one key check.

    ``verdict``  valid, rejected, no_credit (valid but out of credit), rate_limited
                 (valid, HTTP 429 now), unknown (could not check), unsupported (no
                 check exists for this provider: nothing was sent)
    ``pool_key`` the pool the key is for (``openrouter``, ``custom:local``, …)
    ``host``     where the key was sent (``host[:port]``), ``""`` when it was not sent
    ``status``   the HTTP status, when there was one
    ``reason``   short and fixed: ``timeout``, ``HTTP 500``, ``connection refused``, …
    ``credit``   ``$3.10 of $10.00 left``, ``balance 12.50 CNY``, or ``None``
    """

    verdict: Verdict
    pool_key: str
    host: str = ""
    status: int | None = None
    reason: str = ""
    credit: str | None = None

    def describe(self) -> str:
        """One line for a person, e.g. ``✓ valid · $3.10 of $10.00 left``,
        ``✗ rejected by api.openai.com (401)``, ``! could not check with
        openrouter.ai: no complete answer within 5 s``. (No ``?``: that is the
        prompts' own mark, and a result is not a question.)"""
        if self.verdict == "valid":
            return f"✓ valid · {self.credit}" if self.credit else "✓ valid"
        if self.verdict == "rate_limited":
            return f"✓ valid · rate-limited now ({self.status or 429})"
        if self.verdict == "rejected":
            code = f" ({self.status})" if self.status is not None else ""
            return f"✗ rejected by {self.host or 'the provider'}{code}"
        if self.verdict == "no_credit":
            return "! valid but out of credit"
        if self.verdict == "unsupported":
            return f"– no check available for {self.pool_key}"
        reason = "no complete answer within 5 s" if self.reason == "timeout" else self.reason or "unknown error"
        return f"! could not check with {self.host}: {reason}" if self.host else f"! could not check: {reason}"


def unsupported(pool_key: str, why: str) -> CheckResult:
    """Nothing was sent: this provider has no check (``why`` says which part is missing)."""
    return CheckResult("unsupported", pool_key, reason=why)


def not_checked(pool_key: str, reason: str, host: str = "", status: int | None = None) -> CheckResult:
    """Could not check: ``reason`` is one of the fixed phrases, never server text."""
    return CheckResult("unknown", pool_key, host=host, status=status, reason=reason)
