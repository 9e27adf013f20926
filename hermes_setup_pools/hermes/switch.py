"""Turn the step inside ``hermes setup`` on or off, on every Hermes release.

``hermes plugins enable setup-pools`` works for this package's entry-point
plugin only from Hermes 0.18 on (0.13–0.17 answer "not installed or bundled"),
and ``hermes config set plugins.enabled …`` stores a string, which Hermes
ignores. So :func:`enable` and :func:`disable` edit config.yaml themselves,
the way ``hermes plugins enable/disable`` records it: ``setup-pools`` in
``plugins.enabled`` and out of ``plugins.disabled`` (or the reverse). The edit
keeps comments and every other byte, is parsed back and checked before it
replaces the file, and is refused with a clear
:class:`~hermes_setup_pools.store.files.StoreError` rather than guessed.
"""

from __future__ import annotations

from pathlib import Path

from .. import HERMES_PLUGIN_NAME
from ..store.config import config_path, load_config, write_config
from ..store.files import make_home
from ..store.lock import auth_lock
from ..store.preflight import check_home
from ..store.yaml_list import ListEdit, plan_list_edits

PARENT = "plugins"


def enable(home: Path) -> list[str]:
    """Put ``setup-pools`` in ``plugins.enabled`` (and out of ``plugins.disabled``)
    in ``home``'s config.yaml; returns one line per change (empty: already on)."""
    return _switch(Path(home), on=True)


def disable(home: Path) -> list[str]:
    """Take ``setup-pools`` out of ``plugins.enabled`` (and put it in
    ``plugins.disabled``, as ``hermes plugins disable`` does); returns one line
    per change (empty: already off)."""
    return _switch(Path(home), on=False)


def _switch(home: Path, *, on: bool) -> list[str]:
    edits = [ListEdit("enabled", HERMES_PLUGIN_NAME, present=on), ListEdit("disabled", HERMES_PLUGIN_NAME, present=not on)]
    if not on and not config_path(home).exists():
        return []  # nothing is enabled in a home without config.yaml
    if not home.exists():
        make_home(home)
    check_home(home, [config_path(home)])
    with auth_lock(home):  # every writer of config.yaml in this package takes Hermes' lock
        config = load_config(home)
        new_text, done = plan_list_edits(config, PARENT, edits)
        if new_text is None:
            return []
        write_config(config, new_text)
    path = config.path
    return [f"{line[0].upper()}{line[1:]} in {path}" for line in done]
