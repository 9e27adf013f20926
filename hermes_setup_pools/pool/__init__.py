"""The credential-pool step: one folder for the step, a module for each idea.

``hook``          its registration through the ``hermes_setup`` hook (the step as the flow runs it)
``step``          the orchestration: open the pool, gather answers, plan, show, confirm, write
``options``       what the ``pool`` command's flags say, as one typed value
``discovery``     what exists for a pool (auth.json, .env, the environment, config.yaml, the root's pool)
``strategy``      rotation strategies as Hermes reads them
``status``        an entry's health and the key Hermes uses next, by Hermes' own rules
``plan``          the pure planner: (what is on disk, the answers) → a frozen plan
``changes``       the kinds of change a plan holds; ``apply``: how each applies to a pool
``envstore``      keys kept in ``.env`` as numbered variables, and secret references
``checking``      the key check as the step uses it
``commit``        writing a plan, each file under its lock
``every_profile`` ``--all-profiles``: one command for every Hermes profile
``answers/``      where answers come from: a person (ask, manage, replay) or flags (batch, keyfile)
``show/``         what the user reads: the pool table, the summary and diff, ``--list``
"""
