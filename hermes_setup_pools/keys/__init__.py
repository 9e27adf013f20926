"""API keys: what one is, what is accepted, and how one is shown.

``fingerprint`` how Hermes recognises a key without storing it twice
``detect``      what looks like a key; masking, quoting and redacting text that may hold one
``rules``       which pasted keys and labels are accepted, and why others are not
``files``       Hermes' files rendered with every secret masked (for ``--dry-run`` diffs)

Nothing in this package ever returns or raises with a whole key in it.
"""
