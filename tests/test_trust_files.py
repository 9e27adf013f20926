"""Issue #9, "never lose data": ownership, symlinks, loadable pools, leftovers,
write errors, preflight and lock re-entry, against real files (and real
mounts, users and Hermes where the rule is about them)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hermes_setup_pools import Context
from hermes_setup_pools.cli import main
from hermes_setup_pools.pool.options import PoolOptions
from hermes_setup_pools.pool.step import run_pool
from hermes_setup_pools.prompts import ScriptedPrompter
from hermes_setup_pools.store.auth import load_auth

from conftest import BIN, clean_env, run_cli
from helpers import CANARY, KEY_1, KEY_2

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: runs commands as a throwaway unprivileged uid")
USER, OTHER = 4242, 4343
CONFIG = "# mine\nmodel:\n  provider: openrouter\n"


def files_in(home: Path) -> dict[str, bytes]:
    """Every file's bytes (auth.lock, Hermes' empty lock file, may appear)."""
    return {p.name: p.read_bytes() for p in home.iterdir() if p.is_file() and p.name != "auth.lock"}


@pytest.fixture
def shared_tmp():
    """A temporary directory other uids can traverse (pytest's own is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="hsp-trust-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def user_home(base: Path, uid: int = USER) -> Path:
    """A Hermes home owned by ``uid``, as a user's ~/.hermes would be."""
    home = base / f"home-{uid}" / ".hermes"
    home.mkdir(parents=True)
    for path in (home.parent, home):
        os.chown(path, uid, uid)
    (home / "config.yaml").write_text(CONFIG)
    os.chown(home / "config.yaml", uid, uid)
    (home / "config.yaml").chmod(0o644)
    return home


def as_uid(uid: int, args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    try:
        subprocess.run([sys.executable, "-c", "pass"], user=uid, group=uid, extra_groups=[], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"this Python is not reachable by uid {uid} (a parent directory is private); .ci/run makes it reachable")
    return subprocess.run(args, user=uid, group=uid, extra_groups=[], env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def add_keys(home: Path, env: dict[str, str], keys: str = f"team {KEY_1}\n", *extra: str) -> subprocess.CompletedProcess:
    return run_cli(["pool", "--non-interactive", "--hermes-home", str(home), "--key-file", "-", "--yes", *extra],
                   env, input=keys)


# -- 1. ownership ---------------------------------------------------------------------------


@ROOT_ONLY
@pytest.mark.hermes
def test_a_root_run_over_a_users_home_leaves_every_file_theirs_and_hermes_still_reads_it(shared_tmp, env, hermes):
    home = user_home(shared_tmp)
    user_env = clean_env(home.parent, home)
    result = add_keys(home, env, f"team {KEY_1}\n{KEY_2}\n", "--strategy", "round_robin")
    assert result.returncode == 0, result.stderr
    for name in ("auth.json", "config.yaml", "auth.lock"):
        st = (home / name).stat()
        assert (st.st_uid, st.st_gid) == (USER, USER), name
    assert stat.S_IMODE((home / "config.yaml").stat().st_mode) == 0o644  # its mode is kept too
    assert stat.S_IMODE((home / "auth.json").stat().st_mode) == 0o600
    listed = as_uid(USER, [str(BIN / "hermes"), "auth", "list", "openrouter"], user_env)
    assert listed.returncode == 0, listed.stderr
    assert "team" in listed.stdout and "api-key-2" in listed.stdout
    # and the user's next write (real Hermes, as that user) still works
    added = as_uid(USER, [str(BIN / "hermes"), "auth", "add", "openrouter", "--type", "api-key", "--api-key",
                          "sk-or-v1-" + "9" * 56, "--label", "from-hermes"], user_env)
    assert added.returncode == 0, added.stderr


@ROOT_ONLY
def test_a_home_created_by_root_belongs_to_the_parent_directory_owner(shared_tmp, env):
    parent = shared_tmp / "home-user"
    parent.mkdir()
    os.chown(parent, USER, USER)
    home = parent / ".hermes"
    result = add_keys(home, env, f"{KEY_1}\n", "--provider", "openrouter")
    assert result.returncode == 0, result.stderr
    for path in (home, home / "auth.json", home / "auth.lock"):
        assert path.stat().st_uid == USER, path


@ROOT_ONLY
def test_another_users_file_is_refused_before_any_question_naming_owner_and_fix(shared_tmp, env):
    home = user_home(shared_tmp)
    (home / "auth.json").write_text("{}")
    os.chown(home / "auth.json", OTHER, OTHER)
    before = files_in(home)
    user_env = clean_env(home.parent, home)
    result = as_uid(USER, [str(BIN / "hermes-setup-pools"), "pool", "--non-interactive", "--key-file", "-", "--yes"],
                    user_env, input=f"{KEY_1}\n")
    assert result.returncode == 1
    assert str(home / "auth.json") in result.stderr and f"uid {OTHER}" in result.stderr
    assert "run this as" in result.stderr and "Traceback" not in result.stderr
    assert files_in(home) == before


# -- 2. symbolic links --------------------------------------------------------------------------


@ROOT_ONLY
def test_a_link_into_another_users_file_is_refused_and_the_file_left_alone(shared_tmp, env):
    home = user_home(shared_tmp)
    foreign = shared_tmp / "foreign.json"
    foreign.write_text("{}")
    os.chown(foreign, OTHER, OTHER)
    foreign.chmod(0o644)
    (home / "auth.json").symlink_to(foreign)
    result = add_keys(home, env)
    assert result.returncode == 1
    assert str(home / "auth.json") in result.stderr and str(foreign) in result.stderr
    assert foreign.read_text() == "{}" and stat.S_IMODE(foreign.stat().st_mode) == 0o644
    assert foreign.stat().st_uid == OTHER


# -- 3. pools Hermes can load -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "named"),
    [({"id": "a1b2c3", "label": "legacy", "priority": "1"}, "legacy"),
     ({"id": "a1b2c3", "priority": None}, "a1b2c3"),
     ("not an object", "entry #1"),
     ({"id": "d4e5f6", "label": None, "priority": 0}, "d4e5f6")],
)
def test_a_pool_hermes_could_not_load_is_refused_naming_the_entry(hermes_home, env, entry, named):
    (hermes_home / "config.yaml").write_text(CONFIG)
    (hermes_home / "auth.json").write_text(json.dumps({"credential_pool": {"openrouter": [entry]}}))
    before = files_in(hermes_home)
    result = add_keys(hermes_home, env)
    assert result.returncode == 1 and named in result.stderr and "nothing was written" in result.stderr
    assert files_in(hermes_home) == before


@pytest.mark.hermes
def test_after_every_kind_of_write_real_hermes_loads_the_pool(hermes_home, env, hermes):
    (hermes_home / "config.yaml").write_text(CONFIG)
    (hermes_home / "auth.json").write_text(json.dumps({"credential_pool": {"openrouter": [
        {"id": "f00f00", "label": "float", "priority": 2.5, "source": "manual", "access_token": KEY_2},
    ]}}))
    env["OPENROUTER_API_KEY"] = "sk-or-v1-" + "e" * 56
    assert add_keys(hermes_home, env, f"team {KEY_1}\n", "--strategy", "least_used").returncode == 0
    code = "from agent.credential_pool import load_pool; p = load_pool('openrouter'); print(len(p.entries()))"
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().splitlines()[-1] == "3"


# -- 4. crash leftovers -------------------------------------------------------------------------

KILL_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from hermes_setup_pools.store import files
real_replace = os.replace
def die(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)   # kill -9 between the temp file and the rename
os.replace = die
from hermes_setup_pools.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_leftovers_of_a_killed_write_are_removed_by_the_next_run(hermes_home, env):
    (hermes_home / "config.yaml").write_text(CONFIG)
    killed = subprocess.run([sys.executable, "-c", KILL_MID_WRITE, "pool", "--non-interactive", "--key-file", "-",
                             "--yes"], env=env, input=f"{CANARY}\n", capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9
    leftovers = list(hermes_home.glob("auth.json.tmp.*"))
    assert len(leftovers) == 1 and CANARY in leftovers[0].read_text()  # a real key, on disk, unowned
    dead_pid = 2**22 + 1  # no such process (beyond the default pid_max)
    ours = hermes_home / f"config.yaml.tmp.{dead_pid}.{'ab' * 8}"
    ours.write_text("credential_pool_strategies: {}\n")
    alive = hermes_home / f"config.yaml.tmp.{os.getpid()}.{'cd' * 8}"  # a writer that is still running
    alive.write_text("x")
    hermes_own = hermes_home / ".config.yaml.hermes-tmp"  # not our pattern: never touched
    hermes_own.write_text("y")
    result = add_keys(hermes_home, env, f"{KEY_1}\n")
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if "leftover temporary" in line]
    assert len(said) == 1 and "Removed 2 leftover temporary files" in said[0]
    assert not leftovers[0].exists() and not ours.exists()
    assert alive.exists() and hermes_own.exists()
    assert CANARY not in result.stdout + result.stderr


# -- 5. write errors ----------------------------------------------------------------------------

FAILURES = [errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EACCES, errno.EROFS]


@pytest.mark.parametrize("code", FAILURES, ids=[errno.errorcode[c] for c in FAILURES])
@pytest.mark.parametrize("where", ["open", "write", "fsync", "replace"])
def test_a_write_error_anywhere_is_one_line_and_leaves_everything_as_it_was(hermes_home, mocker, capsys, code, where):
    (hermes_home / "config.yaml").write_text(CONFIG)
    (hermes_home / "auth.json").write_text('{"version": 1}')
    before = files_in(hermes_home)
    real = {"open": os.open, "write": os.write, "fsync": os.fsync, "replace": os.replace}[where]

    def failing(*args, **kwargs):
        target = str(args[0]) if where in ("open", "replace") else ""
        if where in ("write", "fsync") or ".tmp." in target:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    mocker.patch(f"os.{where}", side_effect=failing)
    status = main(["pool", "--non-interactive", "--key-file", str(key_file(hermes_home.parent, f"{KEY_1}\n")),
                   "--strategy", "random", "--yes"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "auth.json" in err and os.strerror(code) in err
    mocker.stopall()
    assert files_in(hermes_home) == before
    assert not [p for p in hermes_home.iterdir() if ".tmp." in p.name]


def key_file(directory: Path, text: str) -> Path:
    path = directory / "keys.txt"
    path.write_text(text)
    return path


def test_when_only_config_fails_the_message_says_what_was_written_and_the_printed_command_finishes(
        hermes_home, env, mocker, capsys):
    (hermes_home / "config.yaml").write_text(CONFIG)
    real_replace = os.replace

    def config_fails(src, dst, *args, **kwargs):
        if str(dst).endswith("config.yaml"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, *args, **kwargs)

    mocker.patch("os.replace", side_effect=config_fails)
    status = main(["pool", "--non-interactive", "--key-file", str(key_file(hermes_home.parent, f"team {KEY_1}\n")),
                   "--strategy", "round_robin", "--yes"])
    err = capsys.readouterr().err
    mocker.stopall()
    assert status == 1 and err.count("\n") == 1
    assert "auth.json was written (1 credential added to openrouter: team)" in err
    assert "credential_pool_strategies.openrouter was not set" in err
    command = err.split("finish with: ")[1].strip()
    finished = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert "round_robin" in (hermes_home / "config.yaml").read_text()
    assert [e["label"] for e in load_auth(hermes_home)["credential_pool"]["openrouter"]] == ["team"]


@ROOT_ONLY
def test_a_really_full_disk_is_one_line_with_the_original_intact(shared_tmp, env):
    home = shared_tmp / "full"
    home.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(home)], capture_output=True).returncode:
        pytest.fail("cannot mount a tmpfs here although running as root")
    try:
        (home / "config.yaml").write_text(CONFIG)
        (home / "auth.json").write_text('{"version": 1}\n')
        (home / "filler").write_bytes(b"\0" * 40_000)
        before = files_in(home)
        big = "".join(f"sk-or-v1-{i:04d}{'k' * 60}\n" for i in range(400))  # ~30 KB of new entries
        result = add_keys(home, env, big)
        assert result.returncode == 1 and "No space left on device" in result.stderr
        assert result.stderr.count("\n") == 1
        assert files_in(home) == before and not [p for p in home.iterdir() if ".tmp." in p.name]
    finally:
        subprocess.run(["umount", str(home)], check=True)


# -- 6. preflight ---------------------------------------------------------------------------------


@ROOT_ONLY
def test_a_read_only_home_fails_before_the_first_question(shared_tmp):
    home = shared_tmp / "ro"
    home.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(home)], check=True)
    try:
        (home / "config.yaml").write_text(CONFIG)
        subprocess.run(["mount", "-o", "remount,ro", str(home)], check=True)
        prompter = ScriptedPrompter([])  # any question would fail the test
        with pytest.raises(Exception) as err:
            run_pool(Context(home, prompter=prompter, out=io.StringIO()), PoolOptions())
        assert "read-only" in str(err.value) and str(home) in str(err.value)
        assert prompter.asked == []
    finally:
        subprocess.run(["umount", str(home)], check=True)


# -- 7. lock re-entry -------------------------------------------------------------------------------


@pytest.mark.hermes
def test_inside_hermes_own_lock_the_write_joins_it_instead_of_waiting(hermes_home, hermes):
    (hermes_home / "config.yaml").write_text(CONFIG)
    code = """
import io, sys
from pathlib import Path
import hermes_cli.auth as auth
from hermes_setup_pools import Context
from hermes_setup_pools.pool.options import PoolOptions
from hermes_setup_pools.pool.step import run_pool
from hermes_setup_pools.store import lock
lock.LOCK_TIMEOUT = 1.0   # were it to wait, it would fail fast instead of in 15 s
keys = Path(sys.argv[1])
with auth._auth_store_lock():
    run_pool(Context(Path(sys.argv[2]), interactive=False, out=io.StringIO()),
             PoolOptions(key_file=str(keys), yes=True))
print("ok")
"""
    (hermes_home.parent / "k.txt").write_text(f"{KEY_1}\n")
    result = subprocess.run([sys.executable, "-c", code, str(hermes_home.parent / "k.txt"), str(hermes_home)],
                            capture_output=True, text=True, timeout=120, env={**os.environ})
    assert result.returncode == 0, result.stderr
    assert load_auth(hermes_home)["credential_pool"]["openrouter"][0]["access_token"] == KEY_1
