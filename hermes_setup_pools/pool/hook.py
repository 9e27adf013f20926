"""How the credential-pool step registers itself: an ordinary plugin of the
``hermes_setup`` hook, listed in :data:`hermes_setup_pools.manager.DEFAULT_PLUGINS`.

Kept apart from :mod:`.step` so that running the step on its own (the
``pool`` command in CI) does not load the plugin machinery.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..steps import ANCHOR_STEP_ID, Context, Register, Step
from .commit import PoolOutcome

#: This step's id (other plugins order their steps around it).
POOL_STEP_ID = "credential_pool"


def run(ctx: Context) -> PoolOutcome:
    """The step as the setup flow runs it: interactive when the context is."""
    from .options import PoolOptions
    from .step import run_pool

    return run_pool(ctx, PoolOptions())


@hookimpl
def hermes_setup_register_steps(register: Register) -> None:
    """Register the credential-pool step, right after provider/model selection."""
    register(Step(id=POOL_STEP_ID, title="Credential pool", run=run, after=(ANCHOR_STEP_ID,)))
