"""The credential-pool step's options: what the ``pool`` command's flags say.

A typed value, passed to the step by the host that has them; inside the setup
flow (no flags) every option has its interactive default.
"""

from __future__ import annotations

from typing import NamedTuple


class PoolOptions(NamedTuple):
    """Options of one run of the credential-pool step.

    ``provider``: the pool to work on (default: ``model.provider`` in
    config.yaml). ``strategy``: a canonical strategy to write. ``key_file``:
    where non-interactive keys come from (a path or ``-``). ``yes``: write
    without asking. ``dry_run``: show the diff, write nothing. ``list`` /
    ``json``: only show the pool. ``check``: ask the provider about each key.
    ``remove`` / ``rename`` / ``move`` / ``replace`` / ``reset``: change
    existing entries, named by label or id. ``store``: where new keys live
    (``auth`` or ``env``; ``None``: auth.json, or asked at a terminal).
    ``move_to``: ``env`` moves the pool's plaintext keys into ``.env``.
    """

    provider: str | None = None
    strategy: str | None = None
    key_file: str | None = None
    yes: bool = False
    dry_run: bool = False
    list: bool = False
    json: bool = False
    check: bool = False
    remove: tuple[str, ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    move: tuple[str, int] | None = None
    replace: str | None = None
    reset: str | None = None  # "*" for every entry
    store: str | None = None
    move_to: str | None = None
    key_lines: tuple[str, ...] | None = None  # the key file, read once (a run over every profile)

    @property
    def manages(self) -> bool:
        """Whether any flag changes existing entries."""
        return bool(self.remove or self.rename or self.move or self.replace or self.reset or self.move_to)
