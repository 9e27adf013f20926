"""``python -m hermes_setup_pools`` runs the ``hermes-setup-pools`` command."""

import sys

from .cli import main

sys.exit(main())
