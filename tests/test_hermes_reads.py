"""Real Hermes reads what we write: `hermes auth list` after our non-interactive runs."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import run_cli, run_hermes
from helpers import ENV_KEY

pytestmark = pytest.mark.hermes  # every test here drives the real hermes program

ANT_ENV = "sk-ant-api03-" + "a" * 60
CUSTOM_CFG = "tg-" + "c" * 40
CUSTOM_MODEL = "tg-" + "m" * 40


def rows(listing: str, pool: str) -> list[str]:
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{pool} ("))
    block = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        block.append(line)
    return block


def test_issue_acceptance_three_openrouter_entries(hermes, env, hermes_home):
    (hermes_home / "config.yaml").write_text("# mine\nmodel:\n  provider: openrouter  # picked\n  default: a/b\n")
    env["OPENROUTER_API_KEY"] = ENV_KEY
    keys = "team sk-or-v1-" + "a" * 56 + "\nsk-or-v1-" + "b" * 56 + "\n"
    args = ["pool", "--non-interactive", "--strategy", "round_robin", "--key-file", "-", "--yes"]
    first = run_cli(args, env, input=keys)
    assert first.returncode == 0, first.stderr
    config = (hermes_home / "config.yaml").read_text()
    assert config.startswith("# mine\nmodel:\n  provider: openrouter  # picked\n  default: a/b\n")
    assert yaml.safe_load(config)["credential_pool_strategies"] == {"openrouter": "round_robin"}
    snapshot = {p: (hermes_home / p).read_bytes() for p in ("auth.json", "config.yaml")}
    again = run_cli(args, env, input=keys)
    assert again.returncode == 0
    assert {p: (hermes_home / p).read_bytes() for p in ("auth.json", "config.yaml")} == snapshot

    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "openrouter (3 credentials):"
    found = rows(listed.stdout, "openrouter")
    assert [row.split()[1:2] + row.split()[3:4] for row in found] == [
        ["OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY"], ["team", "manual"], ["api-key-3", "manual"],
    ]
    # Hermes found nothing to fix in what we wrote: it did not rewrite the file.
    assert (hermes_home / "auth.json").read_bytes() == snapshot["auth.json"]


def test_hermes_lists_every_source_kind_we_write(hermes, env, hermes_home, tmp_path):
    (hermes_home / "config.yaml").write_text(
        "model:\n  provider: custom\n  base_url: https://api.together.xyz/v1\n  api_key: " + CUSTOM_MODEL + "\n"
        "custom_providers:\n  - name: Together AI\n    base_url: https://api.together.xyz/v1\n"
        "    api_key: " + CUSTOM_CFG + "\n"
    )
    keyfile = tmp_path / "keys.txt"
    keyfile.write_text("typed tg-" + "t" * 40 + "\n")
    custom = run_cli(["pool", "--non-interactive", "--key-file", str(keyfile), "--yes"], env)
    assert custom.returncode == 0, custom.stderr

    env["ANTHROPIC_API_KEY"] = ANT_ENV
    keyfile.write_text("org-b sk-ant-api03-" + "b" * 60 + "\n")
    anthropic = run_cli(["pool", "--non-interactive", "--provider", "anthropic", "--strategy", "least_used",
                         "--key-file", str(keyfile), "--yes"], env)
    assert anthropic.returncode == 0, anthropic.stderr

    data = json.loads((hermes_home / "auth.json").read_text())
    assert set(data["credential_pool"]) == {"custom:together-ai", "anthropic"}
    for entry in data["credential_pool"]["custom:together-ai"] + data["credential_pool"]["anthropic"]:
        if entry["source"] != "manual":
            assert "access_token" not in entry and entry["secret_fingerprint"].startswith("sha256:")

    listed = run_hermes(["auth", "list"], env)
    assert listed.returncode == 0, listed.stderr
    custom_rows = rows(listed.stdout, "custom:together-ai")
    expected = [("Together AI", "config:Together AI"), ("model_config", "model_config"), ("typed", "manual")]
    assert len(custom_rows) == len(expected)
    for row, (label, source) in zip(custom_rows, expected, strict=True):
        assert f" {label} " in row and f" {source}" in row, row
    anthropic_rows = rows(listed.stdout, "anthropic")
    labels = {r.split()[1] for r in anthropic_rows}
    assert labels == {"ANTHROPIC_API_KEY", "org-b"}
    assert any("env:ANTHROPIC_API_KEY" in r for r in anthropic_rows)
    strategy = run_hermes(["config", "get", "credential_pool_strategies.anthropic"], env)
    assert strategy.stdout.strip() == "least_used"


def test_concurrent_writes_with_real_hermes_lose_nothing(hermes, env, hermes_home, tmp_path):
    """Five `hermes auth add` and five of our runs at once, on one pool: Hermes'
    lock serialises them all and every key ends up in the pool."""
    import subprocess

    from conftest import BIN

    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    procs = []
    for i in range(5):
        keyfile = tmp_path / f"ours-{i}.txt"
        keyfile.write_text(f"ours-{i} sk-or-v1-{i}" + "o" * 55 + "\n")
        procs.append(subprocess.Popen([str(BIN / "hermes-setup-pools"), "pool", "--non-interactive", "--key-file",
                                       str(keyfile), "--yes"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        procs.append(subprocess.Popen([str(BIN / "hermes"), "auth", "add", "openrouter", "--type", "api-key",
                                       "--api-key", f"sk-or-v1-{i}" + "h" * 55, "--label", f"hermes-{i}"],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL))
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    entries = json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert sorted(e["label"] for e in entries) == sorted([f"ours-{i}" for i in range(5)] + [f"hermes-{i}" for i in range(5)])
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert listed.stdout.splitlines()[0] == "openrouter (10 credentials):"
