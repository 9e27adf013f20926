"""Every test runs with its own HOME and HERMES_HOME and no provider keys inherited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hermes_setup_pools.providers import _TABLE

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Variables that would leak a real key, switch Hermes into another branch, or
# point at another home.
_SCRUB = {var for p in _TABLE.values() for var in p.env_vars} | {
    "HERMES_HOME", "HERMES_SAFE_MODE", "HERMES_INFERENCE_PROVIDER", "OPENAI_BASE_URL",
    "HERMES_SETUP_DISABLE_PLUGINS", "HERMES_SETUP_PLUGINS_AUTOLOAD", "HERMES_SETUP_POOLS_AUTOHOOK",
    "PYTHONPATH",
}


def clean_env(home: Path, hermes_home: Path, **extra: str) -> dict[str, str]:
    """An environment for child processes: temp HOME/HERMES_HOME, venv bin first."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB and not k.startswith("PYTEST_")}
    env.update(
        HOME=str(home),
        HERMES_HOME=str(hermes_home),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point HOME and HERMES_HOME at temp dirs and drop provider env vars."""
    home = tmp_path / "home"
    hermes_home = tmp_path / "hermes"
    home.mkdir()
    hermes_home.mkdir()
    for var in _SCRUB:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HERMES_HOME", str(hermes_home))
    return hermes_home


@pytest.fixture
def hermes_home(isolated) -> Path:
    return isolated


@pytest.fixture
def env(tmp_path, hermes_home) -> dict[str, str]:
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
    """The real ``hermes`` program (hermes-agent 0.19.0, from the test extra).

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
