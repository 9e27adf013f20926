"""Where the keys a run adds live: in auth.json (Hermes' credential store, the
key in plain text) or in ``$HERMES_HOME/.env`` as the provider's numbered
variables (``OPENROUTER_API_KEY_2``, ``_3`` …), which Hermes 0.22+ reads as
pool rows. A secret reference (``op://vault/item/field``) always goes to
``.env``, bound to the Hermes secret source that resolves it; it is never
resolved into auth.json.

Each new key stored in ``.env`` also gets a reference row in auth.json
(``env:VAR``, fingerprint only, no secret), so its label and its place in the
order are the ones the summary showed (Hermes would otherwise append it with
the variable's name at its next load).
"""

from __future__ import annotations

from ..hermes.features import HermesFeatures
from ..providers import PoolTarget
from ..record import Record
from ..store.config import value_at
from .discovery import PoolState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STORES = ("auth", "env")

#: The variable a provider's new numbered keys take when it has several
#: (Anthropic: API keys, not the OAuth token variables).
_PRIMARY = {"anthropic": "ANTHROPIC_API_KEY"}
#: Providers whose keys Hermes never reads from numbered variables.
_NO_NUMBERED = {"copilot"}


class ReferenceSource(Record):
    """A Hermes secret source that resolves references of one scheme."""

    __slots__ = _fields = ("scheme", "name", "title")

    scheme: str  # op
    name: str  # onepassword (its config section: secrets.<name>)
    title: str  # 1Password

    def __init__(self, scheme: str, name: str, title: str) -> None:
        self.scheme = scheme
        self.name = name
        self.title = title


REFERENCE_SOURCES = (ReferenceSource("op", "onepassword", "1Password"), ReferenceSource("pass", "protonpass", "Proton Pass"))


def store_variable(target: PoolTarget) -> str | None:
    """The variable new numbered keys of this pool are named after, or ``None``
    (custom endpoints and providers Hermes reads no numbered keys for)."""
    if target.custom is not None or target.provider is None or target.pool_key in _NO_NUMBERED:
        return None
    return _PRIMARY.get(str(target.pool_key), target.env_vars[0] if target.env_vars else None)


def env_store_problem(state: PoolState, instead: str = "keep the keys in auth.json") -> str | None:
    """Why new keys of this pool cannot live in ``.env`` here, or ``None``
    (``instead``: what the user can do meanwhile, in the words of the flag asked)."""
    if not state.features.numbered_env_keys:
        var = store_variable(state.target) or "VAR"
        return (f"this Hermes ({state.features.version()}) reads no numbered variables ({var}_2, {var}_3 …), so it "
                f"would never use keys stored that way; {instead}, or use a Hermes that reads numbered keys (0.22+)")
    if store_variable(state.target) is None:
        return (f"Hermes reads no numbered API-key variables for {state.pool_key}; its keys live in auth.json"
                + (" or in config.yaml" if state.target.custom is not None else ""))
    return None


def assumption_note(features: HermesFeatures) -> str | None:
    """The line saying what is assumed when no Hermes is installed here."""
    if features.installed:
        return None
    return ("No Hermes is installed in this environment; assuming one that reads numbered keys (VAR_2, VAR_3 …) "
            "and resolves op:// references through its 1Password source (Hermes 0.22+)")


def reference_source(value: str) -> ReferenceSource | None:
    """The source a reference such as ``op://vault/item/field`` names, or ``None`` for a plain key."""
    scheme, sep, rest = value.strip().partition("://")
    return next((s for s in REFERENCE_SOURCES if sep and rest and s.scheme == scheme), None)


def reference_problem(value: str, state: PoolState) -> str | None:
    """Why the running Hermes could not resolve this reference (``None``: it can)."""
    source = reference_source(value)
    if source is None:
        return None
    if state.features.installed and source.name not in state.features.secret_sources:
        return (f"this Hermes ({state.features.version()}) has no {source.title} source, so it cannot resolve "
                f"{source.scheme}:// references")
    problem = env_store_problem(state)
    if problem:
        return f"a {source.scheme}:// reference is kept in .env as a numbered variable, but {problem}"
    section: Any = value_at(state.config.data, ("secrets", source.name))
    if not (isinstance(section, dict) and section.get("enabled") is True):
        return (f"Hermes resolves {source.scheme}:// references only through its {source.title} source, which is not "
                f"switched on: set secrets.{source.name}.enabled: true in config.yaml (see `hermes secrets "
                f"{source.name}`), then add the reference again")
    return None


def dotenv_value_problem(value: str) -> str | None:
    """Why ``value`` cannot be kept in ``.env`` as it is (``None``: it can):
    Hermes expands ``${VAR}`` in every ``.env`` value, quoted or not."""
    if "${" in value:
        return ("Hermes expands ${…} in .env values, so it would not read this key as it is; keep it in auth.json "
                "(--store auth)")
    return None


class EnvNames:
    """The next free numbered variables of one pool: free in ``.env`` and the
    environment, not suppressed, and not taken earlier in this run."""

    def __init__(self, state: PoolState) -> None:
        self.state = state
        self.base = store_variable(state.target)
        self.taken: set[str] = set()

    def peek(self) -> str:
        """The name :meth:`next` will give, without taking it."""
        name = self.next()
        self.taken.discard(name)
        return name

    def next(self) -> str:
        """The name for the next key (``VAR`` itself while it is unset, else ``VAR_n``, filling the first gap)."""
        assert self.base is not None
        env = self.state.env
        suppressed = set(self.state.suppressed)

        def free(name: str) -> bool:
            return (name not in self.taken and f"env:{name}" not in suppressed
                    and not (env is not None and env.value(name)))

        name = self.base if free(self.base) else None
        n = 2
        while name is None:
            if free(f"{self.base}_{n}"):
                name = f"{self.base}_{n}"
            n += 1
        self.taken.add(name)
        return name


def _numbered_set(state: PoolState, base: str) -> set[int]:
    """The n of every ``base_n`` set in ``.env`` or the environment."""
    import re

    env = state.env
    if env is None:
        return set()
    pattern = re.compile(rf"^{re.escape(base)}_(\d+)$")
    names = set(env.dotenv) | set(env.environ)
    return {int(m.group(1)) for name in names if (m := pattern.match(name)) and env.value(name)}


def unread_numbered(state: PoolState) -> list[str]:
    """Numbered variables that are set but that Hermes never reads: past the
    first gap (``VAR_3`` set without ``VAR_2``). Empty on a Hermes that reads
    no numbered keys (the doctor says so another way)."""
    if not state.features.numbered_env_keys:
        return []
    unread = []
    for base in state.target.env_vars:
        numbers = _numbered_set(state, base)
        n = 2
        while n in numbers:
            n += 1
        unread += [f"{base}_{k}" for k in sorted(numbers) if k > n]
    return unread


def newly_read(state: PoolState, added: list[str]) -> list[str]:
    """Variables set already that Hermes reads once ``added`` fill a gap before them."""
    if not added or not state.features.numbered_env_keys:
        return []
    found = []
    for base in state.target.env_vars:
        before = _numbered_set(state, base)
        after = before | {int(name.rsplit("_", 1)[1]) for name in added
                          if name.startswith(f"{base}_") and name.rsplit("_", 1)[1].isdigit()}
        n = 2
        while n in after:
            if n in before and f"{base}_{n}" not in added and not _read_before(before, n):
                found.append(f"{base}_{n}")
            n += 1
    return found


def _read_before(numbers: set[int], n: int) -> bool:
    """Whether ``VAR_n`` was read before (no gap below it)."""
    return all(k in numbers for k in range(2, n))
