"""The credential-pool step, in rooms of its own.

``step``      the hook implementation and the step's run (the orchestration)
``options``   the step's typed options (what the ``pool`` command's flags say)
``discovery`` what exists for a pool: auth.json, the environment, .env, config.yaml
``strategy``  rotation strategies as Hermes reads them
``plan``      the pure planner: (what is on disk, the answers) → a frozen plan
``changes``   the kinds of change a plan holds and how each applies to a pool
``ask``       answers from a person at a terminal
``batch``     answers from flags and a key file (CI, Docker)
``keyfile``   the key-file parser
``render``    the pool table, the summary and the ``--dry-run`` diff
``commit``    writing a plan: auth.json under Hermes' lock, then config.yaml
"""
