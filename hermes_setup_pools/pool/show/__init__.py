"""What the user reads about a pool.

``table``   the pool as Hermes will use it: rows, a table that fits the terminal, JSON
``render``  the summary of a plan (the net change of each entry) and the ``--dry-run`` diff
``listing`` ``pool --list [--json] [--check]``
"""
