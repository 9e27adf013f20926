"""The credential-pool step: show the keys a provider already has, add more,
choose the rotation strategy, and write it all the way Hermes reads it.

One implementation serves both sources of answers: questions through the
context's prompter (interactive), or ``--key-file`` / ``--strategy`` / ``--yes``
(non-interactive). Nothing is written until the user has seen a summary and
confirmed it; a re-run with the same answers writes nothing at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .discovery import Discovery, discover
from .errors import SetupError, UsageError
from .flow import ANCHOR_STEP_ID, POOL_STEP_ID, Context, Step
from .hookspecs import hookimpl
from .keyfile import KeyLine, parse_key_lines, read_key_source
from .keys import fingerprint, key_problem, label_problem, mask
from .providers import PoolTarget, auth_type_for, resolve_target, target_from_config
from .store import (
    STRATEGIES,
    STRATEGIES_KEY,
    ConfigFile,
    NewCredential,
    entry_fingerprint,
    load_auth,
    load_config,
    merge_credentials,
    plan_strategy_edit,
    render_auth,
    strategy_state,
    update_pool,
    write_config,
)

#: Lines of a summary shown before "… and N more" (bulk loads add thousands).
SUMMARY_LINES = 12

STRATEGY_HELP = {
    "fill_first": "use the first key until it is rate-limited or out of credit, then the next",
    "round_robin": "take turns: each request goes to the next key in order",
    "least_used": "send each request to the key that has served the fewest so far",
    "random": "pick a key at random for each request",
}


@hookimpl
def hermes_setup_register_steps(register):
    """Register the credential-pool step, right after provider/model selection."""
    register(Step(id=POOL_STEP_ID, title="Credential pool", run=run, after=(ANCHOR_STEP_ID,)))


@dataclass
class PoolOutcome:
    """What the step did (also the value stored in ``context.results``)."""

    pool_key: str | None
    skipped_reason: str = ""
    added: list[str] = field(default_factory=list)  # labels
    notes: list[str] = field(default_factory=list)
    strategy: str | None = None  # written to config.yaml, or None
    auth_written: bool = False
    config_written: bool = False


@dataclass
class Plan:
    """What a run would write: credentials to add and the strategy to set."""

    target: PoolTarget
    discovery: Discovery
    config: ConfigFile
    additions: list[NewCredential]
    strategy: str | None  # None: leave config.yaml alone

    @property
    def pool_key(self) -> str:
        return self.target.pool_key  # type: ignore[return-value]

    def preview(self):
        """The merge as it would happen on the file as it is now."""
        return merge_credentials(self.discovery.entries, self.additions, self.discovery.suppressed)

    def strategy_change(self) -> str | None:
        """The strategy to write, or None when config.yaml already says it."""
        if self.strategy is None:
            return None
        current = (self.config.data.get(STRATEGIES_KEY) or {}).get(self.pool_key)
        return None if current == self.strategy else self.strategy


# --------------------------------------------------------------------------
# The step
# --------------------------------------------------------------------------


def run(ctx: Context) -> PoolOutcome:
    """Run the credential-pool step (see the module docstring)."""
    home = ctx.hermes_home
    config = load_config(home)
    provider = ctx.option("provider")
    target = resolve_target(provider, config.data) if provider else target_from_config(config.data)
    if target.pool_key is None:
        if not ctx.interactive:
            raise SetupError(f"credential pool: {target.reason}")
        ctx.echo(f"Credential pool: skipped — {target.reason}.")
        return PoolOutcome(None, skipped_reason=target.reason)
    auth = load_auth(home, target.pool_key)  # fail before asking anything
    found = discover(home, target, config.data, auth)
    state = strategy_state(config.data, target.pool_key)
    _show_pool(ctx, found, state)

    seeds = found.new_references()
    if ctx.interactive:
        manual = _ask_for_keys(ctx, found, seeds)
    else:
        manual = _keys_from_file(ctx, found, seeds)
    plan = Plan(target, found, config, seeds + manual, None)
    preview = plan.preview()
    plan.strategy = _choose_strategy(ctx, state, len(found.entries) + len(preview.added))
    # Reference entries Hermes would seed itself are written only alongside a
    # real change, so a run that changes nothing leaves both files alone.
    if not manual and plan.strategy_change() is None:
        plan.additions = []
        preview = plan.preview()
    return _commit(ctx, plan, preview)


def _show_pool(ctx: Context, found: Discovery, state) -> None:
    pool_key = found.target.pool_key
    ctx.echo()
    ctx.echo(f"◆ Credential pool: {pool_key}")
    rows: list[tuple[str, str, str, str]] = []
    for entry in found.entries:
        if isinstance(entry, dict):
            rows.append((str(entry.get("label", "")), str(entry.get("source", "")), found.masked(entry), ""))
    for cred in found.new_references():
        where = found.where.get(cred.source, "")
        rows.append((cred.label, cred.source, mask(cred.secret), f"found in {where}, not in the pool yet"))
    for cred in found.found:
        if cred.source in found.suppressed:
            rows.append((cred.label, cred.source, mask(cred.secret), "removed with `hermes auth remove`; left out"))
    if rows:
        width = max(len(r[0]) for r in rows) + 2
        swidth = max(len(r[1]) for r in rows) + 2
        ctx.echo(f"  {'label':<{width}}{'source':<{swidth}}key")
        for label, source, key, note in rows:
            ctx.echo(f"  {label:<{width}}{source:<{swidth}}{key}{'   ' + note if note else ''}".rstrip())
    else:
        env = ", ".join(found.target.env_vars) or "none"
        ctx.echo(f"  No keys yet (looked in auth.json, .env and the environment: {env}).")
    ctx.echo(f"  Rotation strategy: {state.describe(pool_key)}")
    if state.unknown:
        ctx.echo(f"  ! {state.describe(pool_key)}.")


def _key_prefix_note(found: Discovery, key: str) -> str | None:
    provider = found.target.provider
    prefixes = provider.key_prefixes if provider else ()
    if prefixes and not key.startswith(prefixes):
        return f"{found.target.pool_key} keys usually start with {' or '.join(prefixes)}"
    return None


class _PoolIndex:
    """What the pool already holds, plus what this run adds: who owns each key
    (by fingerprint), which labels are taken, and the next default label."""

    def __init__(self, found: Discovery, seeds: list[NewCredential]) -> None:
        existing = [e for e in found.entries if isinstance(e, dict)]
        self.target = found.target
        self.owners = {fp: (e.get("label") or e.get("source")) for e in existing if (fp := entry_fingerprint(e))}
        self.owners.update({c.fingerprint: c.label for c in seeds})
        self.labels = {str(e.get("label", "")).casefold() for e in existing} | {c.label.casefold() for c in seeds}
        self.count = len(existing) + len(seeds)
        self.added: list[NewCredential] = []

    def owner(self, key: str) -> str | None:
        """The label of the entry that already holds ``key``."""
        return self.owners.get(fingerprint(key.strip()))

    def label_used(self, label: str) -> bool:
        return label.casefold() in self.labels

    def default_label(self) -> str:
        """``api-key-<N>`` as Hermes numbers them, skipping labels in use."""
        n = self.count + 1
        while self.label_used(f"api-key-{n}"):
            n += 1
        return f"api-key-{n}"

    def add(self, label: str, key: str) -> NewCredential:
        cred = NewCredential(label, "manual", key, self.target.base_url, auth_type_for(self.target.pool_key, key))
        self.added.append(cred)
        self.owners[cred.fingerprint] = label
        self.labels.add(label.casefold())
        self.count += 1
        return cred


def _ask_for_keys(ctx: Context, found: Discovery, seeds: list[NewCredential]) -> list[NewCredential]:
    prompter = ctx.prompter
    pool = _PoolIndex(found, seeds)

    def check_key(answer: str) -> str | None:
        if not answer.strip():
            return None  # Enter on an empty prompt finishes
        problem = key_problem(answer)
        if problem:
            return problem
        owner = pool.owner(answer)
        return f"that key is already in the pool as {owner!r}" if owner else None

    def check_label(answer: str) -> str | None:
        label = answer.strip()
        if not label:
            return None  # Enter takes the default
        if pool.label_used(label):
            return f"the label {label!r} is already used in this pool"
        return label_problem(label)

    while True:
        noun = "another API key" if pool.count else "an API key"
        answer = prompter.password(f"Add {noun} for {pool.target.pool_key} (Enter to finish):", validate=check_key)
        key = answer.strip()
        if not key:
            break
        note = _key_prefix_note(found, key)
        if note and not prompter.confirm(f"{note}; this one does not. Add it anyway?", default=False):
            continue
        default = pool.default_label()
        label = prompter.text(f"Label for this key (Enter for {default}):", validate=check_label).strip() or default
        pool.add(label, key)
        ctx.echo(f"  + {label} ({mask(key)})")
    return pool.added


def _keys_from_file(ctx: Context, found: Discovery, seeds: list[NewCredential]) -> list[NewCredential]:
    source = ctx.option("key_file")
    if not source:
        return []
    name = "standard input" if source == "-" else source
    lines: list[KeyLine] = parse_key_lines(read_key_source(source), source=name)
    pool = _PoolIndex(found, seeds)
    skipped = 0
    for line in lines:
        owner = pool.owner(line.key)
        if owner:
            skipped += 1
            if skipped <= SUMMARY_LINES:
                ctx.echo(f"  = line {line.line}: already in the pool as {owner!r}; skipped")
            continue
        note = _key_prefix_note(found, line.key)
        if note:
            ctx.echo(f"  ! line {line.line}: {note}; this one does not (added anyway)")
        label = line.label or pool.default_label()
        if pool.label_used(label):
            raise SetupError(f"{name} line {line.line}: the label {label!r} is already used in this pool; nothing was written")
        pool.add(label, line.key)
    if skipped > SUMMARY_LINES:
        ctx.echo(f"  = … {skipped - SUMMARY_LINES:,} more lines already in the pool; skipped")
    return pool.added


def _choose_strategy(ctx: Context, state, total: int) -> str | None:
    given = ctx.option("strategy")
    if given:
        return given
    if not ctx.interactive or total < 2:
        return None
    choices = [(name, f"{name:<12} {STRATEGY_HELP[name]}") for name in STRATEGIES]
    chosen = ctx.prompter.select(
        f"How should Hermes rotate between these {total} keys?", choices, default=state.effective
    )
    # Enter on Hermes' own default, with nothing set, is not a change worth a
    # write; an explicit --strategy is always written.
    return None if chosen == state.effective and state.raw is None else chosen


# --------------------------------------------------------------------------
# Summary, dry run, commit
# --------------------------------------------------------------------------


def _summary(ctx: Context, plan: Plan, preview) -> None:
    ctx.echo()
    ctx.echo(f"About to write for pool {plan.pool_key}:")
    for entry in preview.added[:SUMMARY_LINES]:
        if entry["source"] == "manual":
            what = f"manual key {mask(entry['access_token'])}"
        else:
            what = f"reference to {entry['source']} (fingerprint only, no secret stored)"
        ctx.echo(f"  auth.json   + {entry['label']}: {what}")
    if len(preview.added) > SUMMARY_LINES:
        ctx.echo(f"  auth.json   + … and {len(preview.added) - SUMMARY_LINES:,} more (use --dry-run to see them all)")
    change = plan.strategy_change()
    if change:
        ctx.echo(f"  config.yaml   {STRATEGIES_KEY}.{plan.pool_key} = {change}")


def _dry_run(ctx: Context, plan: Plan, preview) -> None:
    home = ctx.hermes_home
    auth = load_auth(home, plan.pool_key)
    if preview.added:
        after = json.loads(json.dumps(auth)) if auth else {"version": 1, "providers": {}}
        after.setdefault("credential_pool", {})[plan.pool_key] = preview.entries
        after["updated_at"] = "<now>"
        _print_diff(ctx, render_auth(auth), render_auth(after), "auth.json")
    change = plan.strategy_change()
    if change:
        new_text = plan_strategy_edit(plan.config, plan.pool_key, change) or ""
        _print_diff(ctx, _mask_yaml(plan.config.text or ""), _mask_yaml(new_text), "config.yaml")
    ctx.echo("Dry run: nothing was written.")


def _mask_yaml(text: str) -> str:
    pattern = re.compile(r"^(\s*-?\s*[\w.-]*(?:key|token|secret|password)[\w.-]*\s*:\s*)(\S.*)$", re.IGNORECASE)
    return "".join(
        pattern.sub(lambda m: m.group(1) + mask(m.group(2).strip("'\"")), line.rstrip("\r\n")) + "\n"
        for line in text.splitlines(keepends=True)
    )


def _print_diff(ctx: Context, before: str, after: str, name: str) -> None:
    import difflib

    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"{name} (now)", f"{name} (after)"
    )
    for line in diff:
        ctx.echo(line.rstrip("\n"))


def _commit(ctx: Context, plan: Plan, preview) -> PoolOutcome:
    outcome = PoolOutcome(plan.pool_key)
    for cred, reason in preview.skipped:
        outcome.notes.append(f"{cred.label}: {reason}")
    strategy = plan.strategy_change()
    if not preview.added and strategy is None:
        ctx.echo("Nothing to change: the pool and its strategy are already as chosen.")
        return outcome
    _summary(ctx, plan, preview)
    if ctx.option("dry_run"):
        _dry_run(ctx, plan, preview)
        return outcome
    if ctx.interactive:
        if not ctx.prompter.confirm("Write these changes?", default=True):
            ctx.echo("Nothing was changed.")
            return outcome
    elif not ctx.option("yes"):
        raise UsageError("nothing was written: add --yes to write these changes (or --dry-run to see the diff)")

    home = ctx.hermes_home
    # Check config.yaml before touching auth.json: if the strategy edit would
    # be refused, neither file is written.
    if strategy is not None:
        plan_strategy_edit(load_config(home), plan.pool_key, strategy)
    result = update_pool(
        home,
        plan.pool_key,
        lambda entries, suppressed: merge_credentials(entries, plan.additions, suppressed),
    )
    outcome.auth_written = bool(result.added)
    outcome.added = [e["label"] for e in result.added]
    for cred, reason in result.skipped:
        ctx.echo(f"  = {cred.label}: {reason}; skipped")
    if strategy is not None:
        config = load_config(home)  # re-read now: never write back a stale snapshot
        new_text = plan_strategy_edit(config, plan.pool_key, strategy)
        if new_text is not None:
            write_config(config, new_text)
            outcome.config_written = True
            outcome.strategy = strategy
    if outcome.auth_written:
        ctx.echo(f"✓ Added {len(result.added)} credential(s) to {plan.pool_key} in {home / 'auth.json'}")
    if outcome.config_written:
        ctx.echo(f"✓ Set {STRATEGIES_KEY}.{plan.pool_key} = {strategy} in {home / 'config.yaml'}")
    ctx.echo(f"  Check it with: hermes auth list {plan.pool_key}")
    return outcome

