"""The ``doctor`` command: print the findings, fix the safe ones when asked,
and exit 1 while anything remains."""

from __future__ import annotations

import json
from pathlib import Path

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


def _homes(ctx: Context, all_profiles: bool) -> list[tuple[str | None, Path]]:
    if not all_profiles:
        return [(None, ctx.hermes_home)]
    from ..profiles import all_profiles as every
    from ..profiles import root_of

    return [(profile.name, profile.home) for profile in every(root_of(ctx.hermes_home))]


def _examine_all(homes: list[tuple[str | None, Path]], check_keys: bool) -> list[Finding]:
    findings: list[Finding] = []
    for profile, home in homes:
        exam = examine(home, profile)
        findings += exam.findings
        if check_keys:
            from dataclasses import replace

            from .keycheck import key_findings

            findings += [replace(f, profile=profile) for f in key_findings(exam.states)]
    return findings


def run_doctor(ctx: Context, *, as_json: bool, fix: bool, check_keys: bool = False, all_profiles: bool = False) -> int:
    """Check the home (or every profile under its root); with ``fix``, apply
    the safe fixes after saying what they will do (and a confirmation when
    interactive). Returns the exit status: 0 clean (notes aside), 1 findings."""
    home = ctx.hermes_home
    homes = _homes(ctx, all_profiles)
    findings = _examine_all(homes, check_keys)
    fixable = [f for f in findings if f.fixable]
    if fix and fixable:
        _fix(ctx, fixable, dict(homes))
        findings = _examine_all(homes, False) + [f for f in findings if f.code in KEY_CHECK_CODES]
    if as_json:
        ctx.echo(json.dumps([f.as_json() for f in findings], indent=2, ensure_ascii=False))
    else:
        _report(ctx, findings, home if not all_profiles else homes)
    return 1 if any(not f.note for f in findings) else 0


def _report(ctx: Context, findings: list[Finding], where: Path | list[tuple[str | None, Path]]) -> None:
    """The findings, a line each; when only notes remain, which home (or
    which profiles) had no problems."""
    for finding in findings:
        ctx.echo(wrap(finding.line()))
    if all(f.note for f in findings):
        checked = where if isinstance(where, Path) else (
            f"{plural(len(where), 'profile')} ({', '.join(str(name) for name, _ in where)})")
        ctx.echo(f"No problems found in {checked}" + (" (only notes)." if findings else "."))


def _fix(ctx: Context, fixable: list[Finding], homes: dict[str | None, Path]) -> None:
    from .fixes import fix_home

    ctx.echo(f"The doctor will make {plural(len(fixable), 'fix', 'fixes')}:")
    for finding in fixable:
        ctx.echo(wrap(f"  {finding.where()}: {finding.fix}", indent="      "))
    if ctx.interactive and not ctx.ask().confirm("Apply these fixes?", default=True):
        ctx.echo("Nothing was changed.")
        return
    for profile, home in homes.items():
        mine = [f for f in fixable if f.profile == profile]
        if mine:
            check_home(home, [auth_path(home), config_path(home), lock_path(home)])
            for line in fix_home(home, mine, profile):
                ctx.echo(wrap(line if profile is None else f"{line} (profile {profile})", indent="    "))
    ctx.echo("")
