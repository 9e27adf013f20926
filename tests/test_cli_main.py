"""The command line in process: ``main(argv)`` with captured output, for
argparse, usage errors and exit statuses (the pty tests cover the terminal)."""

from __future__ import annotations

import pytest

from hermes_setup_pools import __version__
from hermes_setup_pools.cli import PROG, main

from helpers import CANARY, KEY_1


def run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own exits (--help, --version, bad flags)
        status = exc.code
    out, err = capsys.readouterr()
    assert CANARY not in out + err
    return status, out, err


def test_version_and_help(capsys):
    assert run(["--version"], capsys)[:2] == (0, f"{PROG} {__version__}\n")
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    for command in ("pool", "doctor", "steps", "enable", "disable"):
        assert command in out
    status, out, _ = run(["pool", "--help"], capsys)
    assert status == 0 and "--remove LABEL_OR_ID" in out and "key file format" in out
    status, out, _ = run(["doctor", "--help"], capsys)
    assert status == 0 and "--fix" in out and "exit 0 when clean" in out


@pytest.mark.parametrize("argv", [
    ["pool", "--bogus"],
    ["pool", CANARY],
    ["pool", f"--api-key={CANARY}"],
    ["pool", "--move", "team"],
    ["pool", "--json"],
    ["pool", "--non-interactive", "--strategy", "fastest"],
    ["pool", "--non-interactive", "--provider", CANARY],
    ["pool", "--hermes-home", "/x", "--profile", "work"],
    ["pool", "--profile", "Not A Name"],
    ["doctor", "--fix"],
    ["pool"],
])
def test_usage_errors_exit_2_in_one_line_without_echoing_keys(argv, capsys, hermes_home):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    status, _, err = run(argv, capsys)
    assert status == 2, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith(PROG)


def test_a_failure_is_exit_1_with_one_line(capsys, hermes_home):
    (hermes_home / "config.yaml").write_text("model: [unclosed\n")
    status, _, err = run(["pool", "--list"], capsys)
    assert status == 1 and err.count("\n") == 1 and "config.yaml is not valid YAML" in err


def test_the_steps_command_lists_the_built_in_steps(capsys):
    status, out, _ = run(["steps"], capsys)
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == ["select_provider_and_model", "credential_pool"]


def test_pool_in_process_adds_a_key_from_a_file(capsys, hermes_home, tmp_path):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    keys = tmp_path / "keys.txt"
    keys.write_text(f"team {KEY_1}\n")
    status, out, _ = run(["pool", "--non-interactive", "--key-file", str(keys), "--yes"], capsys)
    assert status == 0 and "Added 1 credential to openrouter" in out and KEY_1 not in out
