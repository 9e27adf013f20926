"""Every test runs with its own HOME and HERMES_HOME and no provider keys inherited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.register_assert_rewrite("hermes_setup_pools.testing")

from hermes_setup_pools.testing import SCRUBBED_VARIABLES, isolate_environment  # noqa: E402

pytest_plugins = ["hermes_setup_pools.testing"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).parent))  # tests import helpers.py


def clean_env(home: Path, hermes_home: Path, **extra: str) -> dict[str, str]:
    """An environment for child processes: temp HOME/HERMES_HOME, venv bin first."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_VARIABLES and not k.startswith("PYTEST_")}
    env.update(
        HOME=str(home),
        HERMES_HOME=str(hermes_home),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONUNBUFFERED="1",
        HERMES_SETUP_POOLS_KEY_CHECK="off",  # no key ever goes to the real network from a test
    )
    env.update(extra)
    return env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives real Hermes must say so with ``@pytest.mark.hermes``,
    so ``-m hermes`` selects every test that drives real Hermes; the version
    matrix (``noxfile.py``) runs ``-m hermes tests/test_hermes_matrix.py`` on each release."""
    unmarked = [item.nodeid for item in items if "hermes" in getattr(item, "fixturenames", ())
                and item.get_closest_marker("hermes") is None]
    if unmarked:
        raise pytest.UsageError("tests use the real hermes without @pytest.mark.hermes: " + ", ".join(unmarked))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME and HERMES_HOME at temp dirs and drop provider env vars."""
    return isolate_environment(monkeypatch, tmp_path)


@pytest.fixture
def hermes_home(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def env(tmp_path: Path, hermes_home: Path) -> dict[str, str]:
    """Environment for subprocesses of this test."""
    return clean_env(tmp_path / "home", hermes_home)


def run_cli(args, env, *, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``hermes-setup-pools`` as a real process (no terminal)."""
    return subprocess.run(
        [str(BIN / "hermes-setup-pools"), *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


@pytest.fixture
def hermes(env) -> Path:
    """The real ``hermes`` program (hermes-agent, from the test extra).

    Missing Hermes is a failure, not a skip: these tests are the proof that
    real Hermes reads what we write.
    """
    found = BIN / "hermes"
    if not found.exists():
        pytest.fail("hermes-agent is not installed in this venv; run: pip install -e '.[test]'")
    return found


def run_hermes(args, env, *, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real ``hermes`` program without a terminal."""
    return subprocess.run(
        [str(BIN / "hermes"), *args], input=input, capture_output=True, text=True, env=env, timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
