"""Storage: everything that reads or writes a Hermes home, one concern per module.

``files``   file safety: reading, the atomic replace, ownership, leftovers
``lock``    Hermes' ``flock`` on ``auth.lock``
``auth``    auth.json: load, check, read-modify-write of one pool
``entries`` what a pool entry is: new entries, fingerprints, the merge rules
``config``  config.yaml: load, check, verified in-place edits
``yaml_edit`` the text splice behind those edits
``dotenv``  ``$HERMES_HOME/.env`` as Hermes reads it
``masking`` files rendered with every secret masked (for ``--dry-run`` diffs)
"""
