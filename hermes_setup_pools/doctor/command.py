"""The ``doctor`` command: print the findings, fix the safe ones when asked,
and exit 1 while anything remains."""

from __future__ import annotations

import json

from ..steps import Context
from ..store.auth import auth_path
from ..store.config import config_path
from ..store.lock import lock_path
from ..store.preflight import check_home
from .findings import check
from .fixes import apply_fixes


def run_doctor(ctx: Context, *, as_json: bool, fix: bool, check_keys: bool = False) -> int:
    """Check the home; with ``fix``, apply the safe fixes after a summary (and a
    confirmation when interactive). Returns the exit status: 0 clean, 1 findings."""
    home = ctx.hermes_home
    findings = check(home)
    if check_keys:
        from .keycheck import key_findings

        findings += key_findings(home)
    fixable = [f for f in findings if f.fixable]
    if fix and fixable:
        ctx.echo(f"The doctor can fix {len(fixable)} of {len(findings)} finding(s):")
        for finding in fixable:
            ctx.echo(f"  {finding.line()}")
        if ctx.interactive and not ctx.ask().confirm("Apply these fixes?", default=True):
            ctx.echo("Nothing was changed.")
        else:
            check_home(home, [auth_path(home), config_path(home), lock_path(home)])
            for line in apply_fixes(home, fixable):
                ctx.echo(f"✓ {line}")
            findings = check(home) + [f for f in findings if f.code in ("rejected-key", "no-credit", "check-failed")]
    if as_json:
        ctx.echo(json.dumps([f.as_json() for f in findings], indent=2, ensure_ascii=False))
    elif findings:
        for finding in findings:
            ctx.echo(finding.line())
    else:
        ctx.echo(f"No problems found in {home}.")
    return 1 if findings else 0
