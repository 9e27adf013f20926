"""Issue #9, "never show a key": a canary key through every CLI path, masking
by meaning in --dry-run, errors that quote input, and text from files made
safe for the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hermes_setup_pools.keys.files import render_auth, render_config

from conftest import run_cli
from helpers import CANARY, ENTER, KEY_1, assert_no_secret, start_cli

CONFIG = "model:\n  provider: openrouter\n"


def canary_locations(root: Path) -> list[str]:
    """Every file under ``root`` whose name or bytes hold the canary."""
    found = []
    for path in root.rglob("*"):
        if CANARY in str(path):
            found.append(str(path))
        elif path.is_file() and not path.is_symlink() and CANARY.encode() in path.read_bytes():
            found.append(path.name)
    return found


@pytest.fixture
def home(hermes_home):
    (hermes_home / "config.yaml").write_text(CONFIG)
    return hermes_home


# (arguments, standard input, exit status, where the canary may end up)
CLI_PATHS = {
    "added": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"team {CANARY}\n", 0, ["auth.json"]),
    "re-run": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"team {CANARY}\n", 0, ["auth.json"]),
    "dry-run": (["pool", "--non-interactive", "--key-file", "-", "--dry-run", "--strategy", "random"], f"{CANARY}\n", 0, []),
    "no --yes": (["pool", "--non-interactive", "--key-file", "-"], f"{CANARY}\n", 2, []),
    "key before label": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"{CANARY} team-label-x\n", 1, []),
    "key as label": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"{CANARY} {KEY_1}\n", 1, []),
    "quoted key": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"'{CANARY}'\n", 1, []),
    "key with a comment": (["pool", "--non-interactive", "--key-file", "-", "--yes"], f"{CANARY} # mine\n", 0, ["auth.json"]),
    "key as --key-file": (["pool", "--non-interactive", "--key-file", CANARY, "--yes"], None, 2, []),
    "key as --provider": (["pool", "--non-interactive", "--provider", CANARY, "--yes"], "", 2, []),
    "quoted key as --provider": (["pool", "--non-interactive", "--provider", f"'{CANARY}'", "--yes"], "", 2, []),
    "key as --strategy": (["pool", "--non-interactive", "--strategy", CANARY, "--yes"], "", 2, []),
    "key as --hermes-home": (["pool", "--non-interactive", "--hermes-home", CANARY], "", 2, []),
    "key as a stray argument": (["pool", CANARY], "", 2, []),
    "key as an unknown flag's value": (["pool", f"--api-key={CANARY}"], "", 2, []),
    "key in the steps command": (["steps", "--hermes-home", f"/tmp/{CANARY}"], "", 0, []),
}


@pytest.mark.parametrize("case", list(CLI_PATHS))
def test_the_canary_appears_nowhere_but_auth_json(case, home, env, tmp_path):
    args, stdin, status, allowed = CLI_PATHS[case]
    if case == "re-run":
        run_cli(args, env, input=stdin)
    result = run_cli(args, env, input=stdin)
    assert result.returncode == status, result.stdout + result.stderr
    assert_no_secret(result.stdout + result.stderr, (CANARY,))
    assert "Traceback" not in result.stderr
    assert canary_locations(tmp_path) == allowed


def test_the_canary_typed_at_the_prompts_is_never_shown(home, env, tmp_path):
    term = start_cli(["pool"], env)
    term.expect("Add an API key for openrouter")
    term.send(CANARY + ENTER)
    term.expect("Label for this key")
    term.send(CANARY + ENTER)  # pasted into the wrong prompt: refused, not stored
    term.expect("looks like an API key")
    term.send("\x15" + "team" + ENTER)  # Ctrl-U clears the refused answer
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("Write these changes?")
    term.send(ENTER)
    assert term.finish() == 0
    assert_no_secret(term.text(), (CANARY,))
    assert canary_locations(tmp_path) == ["auth.json"]
    assert json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"][0]["label"] == "team"


# -- --dry-run masks by meaning ----------------------------------------------------------------

CONFIG_STYLES = {
    "block api_key": f"custom_providers:\n  - name: x\n    api_key: {CANARY}\n",
    "flow mapping": f"custom_providers: [{{name: x, api_key: {CANARY}}}]\n",
    "flow list under a secret key": f"tokens: [{CANARY}, other]\n",
    "model.api": f"model: {{provider: openrouter, api: '{CANARY}'}}\n",
    "Authorization header": f"headers:\n  Authorization: \"Bearer {CANARY}\"\n",
    "bearer under any key": f"extra:\n  note: Bearer {CANARY}\n",
    "URL credentials": f"model:\n  base_url: https://me:{CANARY}@proxy.example/v1\n",
    "block scalar": f"secret_stuff:\n  my_token: |\n    {CANARY}\n",
    "comment": f"# old key {CANARY}\nmodel:\n  provider: openrouter\n",
    "camelCase key": f"apiKey: {CANARY}\n",
}


@pytest.mark.parametrize("style", list(CONFIG_STYLES))
def test_config_secrets_are_masked_whatever_the_yaml_style(style):
    rendered = render_config(CONFIG_STYLES[style])
    assert CANARY not in rendered and "…" in rendered


AUTH_FIELDS = ["access_token", "refresh_token", "agent_key", "client_secret", "id_token", "api_key", "password",
               "my_password", "gateway_key", "session_token", "webhook_secret", "credentials", "private_key"]


@pytest.mark.parametrize("field", AUTH_FIELDS)
def test_auth_fields_hermes_treats_as_secret_are_masked(field):
    data = {"providers": {"nous": {field: CANARY, "client_id": "visible-id", "secret_fingerprint": "sha256:ab"}},
            "credential_pool": {"x": [{"nested": {field: {"deep": CANARY}}}]}}
    rendered = render_auth(data)
    assert CANARY not in rendered
    assert "visible-id" in rendered and "sha256:ab" in rendered  # metadata Hermes calls safe stays readable


def test_dry_run_end_to_end_masks_config_and_auth_secrets(home, env):
    (home / "config.yaml").write_text(
        "model: {provider: openrouter, api: " + CANARY + "}\n"
        "credential_pool_strategies: {anthropic: random}  # Authorization: Bearer " + CANARY + "\n"
        "custom_providers: [{name: x, base_url: 'https://u:" + CANARY + "@h/v1'}]\n"
    )
    (home / "auth.json").write_text(json.dumps({"providers": {"nous": {"refresh_token": CANARY}}}, indent=2))
    result = run_cli(["pool", "--non-interactive", "--key-file", "-", "--dry-run", "--strategy", "random"], env,
                     input=f"{KEY_1}\n")
    assert result.returncode == 0, result.stderr
    assert "+++ config.yaml (after)" in result.stdout and "+++ auth.json (after)" in result.stdout
    assert_no_secret(result.stdout + result.stderr, (CANARY, KEY_1))


# -- text from files reaches the terminal escaped --------------------------------------------------

HOSTILE = {
    "ANSI clear screen": "\x1b[2J\x1b[Hteam",
    "OSC title": "\x1b]0;pwned\x07team",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example\x1b\\team\x1b]8;;\x1b\\",
    "bidi override": "team\u202egnp.exe",
    "carriage return": "team\rOVERWRITTEN",
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_labels_from_auth_json_are_shown_escaped(case, home, env):
    label = HOSTILE[case]
    (home / "auth.json").write_text(json.dumps({"credential_pool": {"openrouter": [
        {"id": "abc123", "label": label, "source": "manual", "access_token": KEY_1, "priority": 0}]}}))
    result = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input=f"{KEY_1}\n")
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown
    for raw in ("\x1b", "\x07", "\u202e", "\r"):
        assert raw not in shown
    assert "team" in shown and ("\\x1b" in shown or "\\u202e" in shown or "\\x0d" in shown)


def test_custom_provider_names_from_config_are_shown_escaped(hermes_home, env):
    (hermes_home / "config.yaml").write_text(
        'model: {provider: custom, base_url: "https://x.example/v1"}\n'
        'custom_providers: [{name: "evil\\e[31m\\u202e", base_url: "https://x.example/v1"}]\n'
    )
    result = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input=f"{KEY_1}\n")
    assert "\x1b" not in result.stdout + result.stderr and "\u202e" not in result.stdout + result.stderr
