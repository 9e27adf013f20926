"""What older Hermes releases need so that the step runs exactly once and
what it writes survives the wizard.

Hermes 0.13–0.15 run their own pool step ("Same-Provider Fallback &
Rotation") inside ``setup_model_provider``, after the picker has returned, so
after ours. :func:`gate_hermes_pool_step` installs a one-shot replacement of
``_supports_same_provider_pool_setup`` that answers ``False`` for that one
wizard call and puts the real function back on first use. It is installed
only when ``setup_model_provider`` looks that name up (0.13–0.15; 0.16+
define it but never call it; upstream main deleted it) and not in quick
setup, where Hermes skips its own step anyway.

Hermes 0.13 and 0.14 re-read only ``model`` and ``custom_providers`` from
disk after the picker and save their in-memory config at the end of the
section, which would put back the old ``credential_pool_strategies``.
:func:`sync_wizard_config` sets the strategy the step wrote in that dict too
(harmless on later releases, which reload the whole dict from disk).

Both act on the caller's frame (``setup_model_provider``), standard library
only, and never raise into Hermes.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

HERMES_POOL_CHECK = "_supports_same_provider_pool_setup"
STRATEGIES_KEY = "credential_pool_strategies"
#: The attribute that marks a gate installed by :func:`gate_hermes_pool_step`.
GATE = "__hermes_setup_pools_gate__"


def has_own_pool_step(caller: FrameType) -> bool:
    """True when this ``setup_model_provider`` runs Hermes' own pool step after
    the picker (Hermes 0.13–0.15, full setup)."""
    try:
        return HERMES_POOL_CHECK in caller.f_code.co_names and not caller.f_locals.get("quick")
    except Exception:
        return False


def gate_hermes_pool_step(caller: FrameType) -> bool:
    """Keep Hermes' own pool step from running after ours in this wizard call.

    Returns True when the gate was installed. The gate answers ``False`` only
    when called from ``caller`` (the same ``setup_model_provider`` call), and
    restores Hermes' function the first time it is called at all.
    """
    if not has_own_pool_step(caller):
        return False
    namespace = caller.f_globals
    real = namespace.get(HERMES_POOL_CHECK)
    if not callable(real) or getattr(real, GATE, False):
        return False
    wizard: list[FrameType] = [caller]

    def gate(*args: Any, **kwargs: Any) -> Any:
        namespace[HERMES_POOL_CHECK] = real  # one shot
        ours = wizard.pop() if wizard else None  # drop the frame reference either way
        if ours is not None and sys._getframe(1) is ours:
            return False
        return real(*args, **kwargs)

    setattr(gate, GATE, True)
    namespace[HERMES_POOL_CHECK] = gate
    return True


def sync_wizard_config(caller: FrameType, pool_key: str | None, strategy: str | None) -> bool:
    """Set ``credential_pool_strategies.<pool_key> = strategy`` in the config
    dict the wizard will save (the caller's ``config``); True when set."""
    if not pool_key or not strategy:
        return False
    try:
        config = caller.f_locals.get("config")
    except Exception:
        return False
    if not isinstance(config, dict):
        return False
    strategies = config.get(STRATEGIES_KEY)
    if not isinstance(strategies, dict):
        strategies = config[STRATEGIES_KEY] = {}
    strategies[pool_key] = strategy
    return True
