"""The ``doctor`` command: print the findings, fix the safe ones when asked,
and exit 1 while anything remains."""

from __future__ import annotations

import json

from ..display import plural, wrap
from ..steps import Context
from ..store.auth import auth_path
from ..store.config import config_path
from ..store.lock import lock_path
from ..store.preflight import check_home
from .examine import examine
from .findings import Finding

#: Findings only ``--check`` produces (a fix never makes them go away).
KEY_CHECK_CODES = ("rejected-key", "no-credit", "check-failed")


def run_doctor(ctx: Context, *, as_json: bool, fix: bool, check_keys: bool = False) -> int:
    """Check the home; with ``fix``, apply the safe fixes after saying what they
    will do (and a confirmation when interactive). Returns the exit status:
    0 clean, 1 findings."""
    home = ctx.hermes_home
    exam = examine(home)
    findings = exam.findings
    if check_keys:
        from .keycheck import key_findings

        findings += key_findings(exam.states)
    fixable = [f for f in findings if f.fixable]
    if fix and fixable:
        _fix(ctx, fixable)
        findings = examine(home).findings + [f for f in findings if f.code in KEY_CHECK_CODES]
    if as_json:
        ctx.echo(json.dumps([f.as_json() for f in findings], indent=2, ensure_ascii=False))
    elif findings:
        for finding in findings:
            ctx.echo(wrap(finding.line()))
        if all(f.note for f in findings):
            ctx.echo(f"No problems found in {home} (only notes).")
    else:
        ctx.echo(f"No problems found in {home}.")
    return 1 if any(not f.note for f in findings) else 0


def _fix(ctx: Context, fixable: list[Finding]) -> None:
    from .fixes import fix_home

    home = ctx.hermes_home
    ctx.echo(f"The doctor will make {plural(len(fixable), 'fix', 'fixes')}:")
    for finding in fixable:
        ctx.echo(wrap(f"  {finding.where()}: {finding.fix}", indent="      "))
    if ctx.interactive and not ctx.ask().confirm("Apply these fixes?", default=True):
        ctx.echo("Nothing was changed.")
        return
    check_home(home, [auth_path(home), config_path(home), lock_path(home)])
    for line in fix_home(home, fixable):
        ctx.echo(wrap(line, indent="    "))
    ctx.echo("")
