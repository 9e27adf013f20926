"""``hermes-setup-pools doctor``: what silently breaks rotation, across every pool.

``findings`` the checks, each a :class:`~.findings.Finding` with a code
``fixes``    the safe fixes, applied under Hermes' lock through the storage rules
``command``  the command: print, ``--json``, ``--fix`` with a summary and confirmation
"""
