"""The step on every Hermes release a user may have (0.13.0 to 0.19.x, and the
iot fork 0.22.x), driven in a pty.

The version matrix (``noxfile.py``) runs this file against each release in a
fresh virtual environment; the main suite runs it against 0.19.0. Per release:
our own ``enable`` turns the step on; ``hermes setup`` (first run, full) and
``hermes setup model`` show exactly one pool step, ours, right after the
model is chosen, and what it writes is what that Hermes reads back, in the
order the step's summary showed, after every wizard path that reaches it; with
our hook off Hermes runs as before (its own pool step included, where it has
one); ``hermes model`` and ``hermes fallback add`` never show it; the pool
commands list exactly the keys that Hermes uses (numbered env keys on iot);
``--store env`` and ``--move-to env`` keep keys in ``.env`` where Hermes reads
numbered keys, and are refused elsewhere; ← and Esc in the step mean what they
mean in the wizard around it; ``--all-profiles`` sees the profiles Hermes sees.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from conftest import run_cli, run_hermes
from helpers import CANARY, CTRL_C, DOWN, ENTER, ENV_KEY, KEY_1, KEY_2, KEY_3, plain
from hermes_driver import (
    BLANK_SLATE,
    CONFIG_SET_PARSES_LISTS,
    ESC,
    HAS_PORTAL,
    HERMES_DIST,
    HERMES_REQUIREMENT,
    HERMES_TEXT,
    HERMES_VERSION,
    LEFT,
    NUMBERED_ENV_KEYS,
    OLD_WIZARD,
    PROFILES_CLI,
    PROFILES_NEED_IDENTITY,
    WIZARD_NAVIGATION,
    add_keys,
    answer_hermes_own_pool_step,
    auth_rows,
    back_to_hermes_menu,
    continue_after_step,
    finish_blank_slate,
    finish_full_setup,
    finish_model_section,
    finish_quick_setup,
    keep_openrouter,
    pick_leave_unchanged,
    profile_names,
    start_first_run,
    start_hermes,
    type_openrouter_key,
)

pytestmark = pytest.mark.hermes  # every test here drives the real hermes program

OPENROUTER_CONFIG = (
    "model:\n"
    "  provider: openrouter\n"
    "  default: anthropic/claude-sonnet-4\n"
    "  base_url: https://openrouter.ai/api/v1\n"
)
HERMES_OWN_STEP = "Same-Provider Fallback & Rotation"


def enable(env) -> str:
    result = run_cli(["enable"], env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def existing(hermes, env, hermes_home):
    """An OpenRouter install (key in .env, provider in config.yaml), with the
    step switched on by our own command, as the README says."""
    (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    assert "Added setup-pools to plugins.enabled" in enable(env)
    return env


def hermes_strategy(env, pool: str) -> str:
    """The strategy as this Hermes' own get_pool_strategy returns it (found where
    this Hermes keeps it: ``agent.credential_pool`` up to iot, ``auth.credential_pool``
    on upstream main)."""
    code = (
        "import importlib\n"
        "for name in ('agent.credential_pool', 'auth.credential_pool'):\n"
        "    try:\n"
        "        get = importlib.import_module(name).get_pool_strategy\n"
        "    except (ImportError, AttributeError):\n"
        "        continue\n"
        f"    print(get({pool!r}))\n"
        "    break\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def hermes_pool(env, pool: str = "openrouter") -> list[tuple[str, str, str]]:
    """(label, auth type, source) per row of `hermes auth list POOL`, in the order Hermes tries them."""
    listed = run_hermes(["auth", "list", pool], env)
    assert listed.returncode == 0, listed.stderr
    rows = auth_rows(listed.stdout)
    assert listed.stdout.splitlines()[0] == f"{pool} ({len(rows)} credentials):", listed.stdout
    return rows


ENV_ROW = ("OPENROUTER_API_KEY", "api_key", "env:OPENROUTER_API_KEY")


def assert_hermes_reads_the_pool(env, hermes_home, labels=("OPENROUTER_API_KEY", "team"), strategy="round_robin") -> None:
    """`hermes auth list openrouter` shows exactly ``labels``, in that order (the
    step's summary order: the .env key, then the typed keys), and this Hermes
    reads ``strategy`` for the pool."""
    rows = hermes_pool(env)
    expected = [ENV_ROW if label == "OPENROUTER_API_KEY" else (label, "api_key", "manual") for label in labels]
    assert rows == expected, f"Hermes {HERMES_TEXT}"
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    written = (config.get("credential_pool_strategies") or {}).get("openrouter")
    assert written == strategy or (written is None and strategy == "fill_first")  # Hermes' default need not be written
    assert "setup-pools" in config["plugins"]["enabled"]
    assert hermes_strategy(env, "openrouter") == strategy


def test_the_release_under_test_is_the_one_installed():
    """nox names the release it installed; a stale environment would test another."""
    assert os.environ.get("HERMES_MATRIX_RELEASE", HERMES_REQUIREMENT) == HERMES_REQUIREMENT


def test_hermes_setup_model_shows_exactly_one_pool_step(existing, hermes_home):
    term = start_hermes(["setup", "model"], existing)
    keep_openrouter(term)
    add_keys(term, [(KEY_1, "team")])
    summary = continue_after_step(term)
    finish_model_section(term)
    assert term.finish() == 0
    text = term.text()
    assert summary.startswith("Credential pool: added 2 keys to openrouter, strategy round_robin")
    assert text.count("◆ Credential pool") == 1 and HERMES_OWN_STEP not in text, f"Hermes {HERMES_TEXT}"
    assert text.index("Default model set to") < text.index("◆ Credential pool") < text.index("configuration complete")
    assert ENV_KEY not in text and KEY_1 not in text
    assert "hermes-setup-pools:" not in text  # no warning from the hook or the wrapper
    assert_hermes_reads_the_pool(existing, hermes_home)


def test_first_run_full_setup_shows_the_step_after_the_model(hermes, env, hermes_home):
    """A brand-new home: Full setup, OpenRouter, the key typed into Hermes' own
    prompt; the step finds it and adds a second one; the strategy survives the
    section's save (0.13/0.14 save a stale in-memory config there), and the
    order survives the later sections once the wizard has exited normally."""
    enable(env)
    term = start_hermes(["setup"], env)
    start_first_run(term, "full")
    type_openrouter_key(term, ENV_KEY)
    add_keys(term, [(KEY_1, "team")])
    continue_after_step(term)
    finish_full_setup(term)
    text = term.text()
    assert text.count("◆ Credential pool") == 1 and HERMES_OWN_STEP not in text
    assert ENV_KEY not in text and KEY_1 not in text
    assert_hermes_reads_the_pool(env, hermes_home)


def test_ctrl_c_in_our_step_does_not_bring_hermes_own_step_back(existing, hermes_home):
    term = start_hermes(["setup", "model"], existing)
    pick_leave_unchanged(term)
    term.expect("Add another API key for openrouter")
    term.send(CTRL_C)  # "Ctrl-C skips this step": one line says so, and what a second Ctrl-C does
    assert continue_after_step(term).startswith("Credential pool: nothing was written by this step")
    finish_model_section(term)
    assert term.finish() == 0
    assert HERMES_OWN_STEP not in term.text() and "(Ctrl-C leaves setup)" in term.text()
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert "openrouter" not in (config.get("credential_pool_strategies") or {})


@pytest.mark.parametrize("how", ["never-enabled", "disabled", "autohook-off", "safe-mode"])
def test_with_our_hook_off_hermes_runs_as_before(how, existing, hermes_home):
    if how == "never-enabled":
        (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    if how == "disabled":
        assert "Removed setup-pools from plugins.enabled" in run_cli(["disable"], existing).stdout
        # Hermes itself no longer loads the plugin either.
        assert run_hermes(["setup-pools", "--help"], existing).returncode != 0
    if how == "autohook-off":
        existing["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"
    if how == "safe-mode":
        existing["HERMES_SAFE_MODE"] = "1"
    term = start_hermes(["setup", "model"], existing)
    pick_leave_unchanged(term)
    if OLD_WIZARD:  # Hermes 0.13–0.15: its own pool step, as without this package
        answer_hermes_own_pool_step(term)
    finish_model_section(term)
    assert term.finish() == 0
    assert "Credential pool" not in term.text() and "press Enter to continue" not in term.text()


@pytest.mark.parametrize("args", [["model"], ["fallback", "add"]])
def test_hermes_model_and_fallback_add_never_show_it(args, existing):
    term = start_hermes(args, existing)
    pick_leave_unchanged(term)
    assert term.finish() == 0
    assert "Credential pool" not in term.text() and HERMES_OWN_STEP not in term.text()


def test_the_plugin_command_takes_setups_arguments_and_shows_the_step(existing, hermes_home):
    existing["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"  # the plugin route on its own
    ours = run_hermes(["setup-pools", "--help"], existing)
    theirs = run_hermes(["setup", "--help"], existing)
    assert ours.returncode == 0, ours.stderr
    for flag in ("--non-interactive", "--reset", "--reconfigure", "--quick", "--portal"):
        assert (flag in ours.stdout) == (flag in theirs.stdout) == (flag != "--portal" or HAS_PORTAL)
    term = start_hermes(["setup-pools", "model"], existing)
    pick_leave_unchanged(term)
    term.expect("◆ Credential pool: openrouter")
    term.expect("Add another API key for openrouter")
    term.send(ENTER)
    term.expect("Nothing to change")
    assert continue_after_step(term).startswith("Credential pool: openrouter unchanged")
    finish_model_section(term)
    assert term.finish() == 0
    assert HERMES_OWN_STEP not in term.text()


@pytest.mark.parametrize("value", ['["setup-pools"]', "setup-pools"])
def test_enable_repairs_what_hermes_config_set_writes(value, hermes, env, hermes_home):
    """`hermes config set plugins.enabled VALUE` stores a string on 0.13–0.19,
    which Hermes ignores; our enable turns it into the list Hermes reads. iot
    (#114471) parses the list literal and refuses the bare name, so there the
    string is what a home carried over from an older Hermes holds."""
    said = run_hermes(["config", "set", "plugins.enabled", value], env)
    config = hermes_home / "config.yaml"
    if CONFIG_SET_PARSES_LISTS and value.startswith("["):
        assert said.returncode == 0, said.stderr
        assert yaml.safe_load(config.read_text())["plugins"]["enabled"] == ["setup-pools"]
        assert run_hermes(["setup-pools", "--help"], env).returncode == 0
        assert enable(env).startswith("Nothing to change")
        return
    if CONFIG_SET_PARSES_LISTS:
        assert said.returncode != 0 and "YAML/JSON literal" in said.stdout + said.stderr
        config.write_text(f"plugins:\n  enabled: {value}\n")  # as 0.13–0.19 wrote it
    else:
        assert said.returncode == 0, said.stderr
    assert isinstance(yaml.safe_load(config.read_text())["plugins"]["enabled"], str)
    assert run_hermes(["setup-pools", "--help"], env).returncode != 0
    assert "(which Hermes ignores) into the list [setup-pools]" in enable(env)
    assert yaml.safe_load(config.read_text())["plugins"]["enabled"] == ["setup-pools"]
    assert run_hermes(["setup-pools", "--help"], env).returncode == 0
    assert enable(env).startswith("Nothing to change")


#: The README's lines, as written: find the Python that runs `hermes` (from a
#: console script's `#!` line, or from the `exec "…python" …` line of the
#: launcher Hermes' own installer writes), then turn the step on with it.
README_FIND_PYTHON = (
    'py="$(sed -n \'1s/^#!\\(.*python[0-9.]*\\)$/\\1/p; s/^exec "\\([^"]*\\)".*/\\1/p\' "$(command -v hermes)" | head -1)"\n'
)
README_ENABLE = '"$py" -m hermes_setup_pools enable\n'


@pytest.mark.parametrize("launcher", ["console-script", "installer-launcher"])
def test_the_readme_lines_find_hermes_python_and_enable(launcher, hermes, env, hermes_home, tmp_path):
    if launcher == "installer-launcher":  # what Hermes' install.sh puts in ~/.local/bin
        shim = tmp_path / "bin" / "hermes"
        shim.parent.mkdir()
        shim.write_text(f'#!/usr/bin/env bash\nunset PYTHONPATH\nunset PYTHONHOME\nexec "{sys.executable}" "{hermes}" "$@"\n')
        shim.chmod(0o755)
        env["PATH"] = f"{shim.parent}:{env['PATH']}"
    script = README_FIND_PYTHON + 'echo "$py"\n' + README_ENABLE
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found, said = result.stdout.splitlines()
    assert found == sys.executable
    assert said == f"Added setup-pools to plugins.enabled in {hermes_home / 'config.yaml'}"
    assert run_hermes(["setup-pools", "--help"], env).returncode == 0  # this Hermes loads the plugin now


# -- the rotation order after the wizard ----------------------------------------------
# With round_robin Hermes rotates the pool on every CredentialPool.select(), and
# later wizard sections select without sending anything (vision check, tools
# checklist, setup summary); the package puts the order the step wrote back
# when the wizard's process exits. So every path leaves the wizard normally.

#: The order the step's summary shows: the .env key first, then the typed keys.
SUMMARY_ORDER = ("OPENROUTER_API_KEY", "team", "spare")


#: Every wizard path of this Hermes that reaches the step: `hermes setup model`
#: on an existing OpenRouter install; first run, Full setup; first run, Quick
#: setup (0.13–0.15: from 0.16 on it is Nous Portal only and never reaches the
#: model picker); first run, Blank Slate (0.18 on). A path this Hermes does not
#: have is no case here, rather than a skipped one.
PATHS = ("setup-model", "first-run-full", *(("first-run-quick",) if OLD_WIZARD else ()),
         *(("blank-slate",) if BLANK_SLATE else ()))


@pytest.mark.parametrize(
    ("path", "strategy"),
    [(path, "round_robin") for path in PATHS] + [("setup-model", "fill_first")],
)
def test_the_order_after_the_wizard_is_the_summary_order(path, strategy, hermes, env, hermes_home):
    """A .env key plus two typed keys, `team` and `spare`: after the wizard has
    exited normally, `hermes auth list openrouter` shows them in the order the
    step's summary showed, on every wizard path that reaches the step."""
    enable(env)
    if path == "setup-model":
        (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG + "plugins:\n  enabled: [setup-pools]\n")
        (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
        term = start_hermes(["setup", "model"], env)
        keep_openrouter(term)
    else:
        term = start_hermes(["setup"], env)
        start_first_run(term, path.removeprefix("first-run-"))
        type_openrouter_key(term, ENV_KEY)
    summary = add_keys(term, [(KEY_1, "team"), (KEY_2, "spare")], strategy)
    continue_after_step(term)
    if path == "setup-model":
        finish_model_section(term)
        assert term.finish() == 0
    else:
        {"first-run-full": finish_full_setup, "first-run-quick": finish_quick_setup, "blank-slate": finish_blank_slate}[path](term)
    shown = [summary.index(label) for label in SUMMARY_ORDER]
    assert shown == sorted(shown), f"the summary's order is not {SUMMARY_ORDER}:\n{summary}"
    text = term.text()
    assert text.count("◆ Credential pool") == 1 and HERMES_OWN_STEP not in text
    assert ENV_KEY not in text and KEY_1 not in text and KEY_2 not in text
    assert "hermes-setup-pools:" not in text  # nothing went wrong restoring the order at exit
    assert_hermes_reads_the_pool(env, hermes_home, SUMMARY_ORDER, strategy)


# -- numbered env keys (OPENROUTER_API_KEY_2, _3 …; Hermes PR #112390) -------------------


def pool_list(env) -> list[dict]:
    """`hermes-setup-pools pool --list --json` (the provider from config.yaml)."""
    result = run_cli(["pool", "--list", "--json"], env)
    assert result.returncode == 0, result.stderr
    assert ENV_KEY not in result.stdout and KEY_2 not in result.stdout and KEY_3 not in result.stdout
    return json.loads(result.stdout)


@pytest.mark.parametrize("seeded", ["nothing", "the-base-key"])
def test_numbered_env_keys_are_listed_as_this_hermes_uses_them(seeded, hermes, env, hermes_home):
    """.env holds OPENROUTER_API_KEY, _2 and _3. iot reads all three as pool rows,
    0.13–0.19 only the first: `hermes auth list`, `pool --list` and the doctor
    must agree with the Hermes installed. ``seeded``: what auth.json held before
    the numbered keys were added."""
    (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    dotenv = hermes_home / ".env"
    dotenv.write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    if seeded == "the-base-key":
        assert hermes_pool(env) == [ENV_ROW]
    dotenv.write_text(dotenv.read_text() + f"OPENROUTER_API_KEY_2={KEY_2}\nOPENROUTER_API_KEY_3={KEY_3}\n")
    used = ["OPENROUTER_API_KEY"] + (["OPENROUTER_API_KEY_2", "OPENROUTER_API_KEY_3"] if NUMBERED_ENV_KEYS else [])
    masked = ["…9999", "…2222", "…3333"][: len(used)]

    before = pool_list(env)
    assert [(row["source"], row["key"]) for row in before] == [(f"env:{var}", key) for var, key in zip(used, masked, strict=True)]
    in_pool_before = [seeded == "the-base-key"] + [False] * (len(used) - 1)
    assert [row["in_pool"] for row in before] == in_pool_before, before

    assert hermes_pool(env) == [(var, "api_key", f"env:{var}") for var in used], f"Hermes {HERMES_TEXT}"

    after = pool_list(env)
    assert [(row["label"], row["source"], row["key"]) for row in after] == [
        (var, f"env:{var}", key) for var, key in zip(used, masked, strict=True)
    ]
    assert all(row["in_pool"] and row["status"] == "ok" and row["id"] for row in after), after
    assert "(not stored)" not in run_cli(["pool", "--list"], env).stdout

    doctor = run_cli(["doctor", "--json"], env)
    findings = json.loads(doctor.stdout)
    assert not [f for f in findings if f["code"] in ("missing-env", "unread-env")], findings
    assert doctor.returncode == (1 if findings else 0), doctor.stderr


# -- where the keys live: --store env, --move-to env (README "Where your keys live") ----


def tree(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under ``root``: its bytes, mode and modification time (to prove nothing was written)."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def files_holding(root: Path, secret: str) -> list[str]:
    """The files under ``root`` whose bytes contain ``secret``."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes())


def pool_entries(hermes_home: Path, pool: str = "openrouter") -> list[dict]:
    return json.loads((hermes_home / "auth.json").read_text())["credential_pool"][pool]


def refused_where_numbered_keys_are_not_read(result: subprocess.CompletedProcess, flag: str, home: Path,
                                             before: dict[str, tuple[bytes, int, int]]) -> bool:
    """The canary never printed; then, on a Hermes that reads no numbered keys
    (True): one line on stderr naming the installed Hermes, status 2 (usage),
    nothing on stdout and nothing written. Elsewhere (False): status 0."""
    assert CANARY not in result.stdout + result.stderr
    if NUMBERED_ENV_KEYS:
        assert result.returncode == 0, result.stderr
        return False
    assert result.returncode == 2 and result.stdout == "", (result.returncode, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"hermes-setup-pools: {flag}"), result.stderr
    assert f"{HERMES_DIST} {HERMES_VERSION}" in result.stderr, result.stderr
    assert tree(home) == before, f"Hermes {HERMES_TEXT}: {flag} wrote something"
    return True


@pytest.fixture
def openrouter_home(hermes, env, hermes_home):
    """An OpenRouter home with its key in .env (no auth.json yet)."""
    (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    return hermes_home


def test_store_env_keeps_a_new_key_in_dotenv_where_hermes_reads_numbered_keys(openrouter_home, env, tmp_path):
    """`pool --store env --key-file F --yes`: where this Hermes reads numbered
    keys (iot), the key becomes the next free variable (OPENROUTER_API_KEY_2, as
    OPENROUTER_API_KEY is set) in .env, mode 600; auth.json holds a reference row
    without it; `hermes auth list` shows the label; the key is in no other file.
    Elsewhere (0.13–0.19) one line names this Hermes, status 2, nothing written."""
    home = openrouter_home
    key_file = tmp_path / "keys.txt"
    key_file.write_text(f"canary {CANARY}\n")
    before = tree(home)
    result = run_cli(["pool", "--store", "env", "--key-file", str(key_file), "--yes"], env)
    key_file.unlink()  # from here on, the key may be in one file only
    if refused_where_numbered_keys_are_not_read(result, "--store env", home, before):
        return
    dotenv = home / ".env"
    assert dotenv.read_text() == f"OPENROUTER_API_KEY={ENV_KEY}\nOPENROUTER_API_KEY_2={CANARY}\n"
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    canary = next(entry for entry in pool_entries(home) if entry["label"] == "canary")
    assert canary["source"] == "env:OPENROUTER_API_KEY_2" and "access_token" not in canary, canary
    assert hermes_pool(env) == [ENV_ROW, ("canary", "api_key", "env:OPENROUTER_API_KEY_2")], f"Hermes {HERMES_TEXT}"
    assert files_holding(tmp_path, CANARY) == [str(dotenv.relative_to(tmp_path))]  # after Hermes read and saved the pool


def test_move_to_env_moves_a_manual_key_and_hermes_still_lists_it(openrouter_home, env, tmp_path):
    """A key added with Hermes' own `hermes auth add` (a `manual` row, the key in
    auth.json), then `pool --move-to env --yes`: on iot the key goes to .env and
    the row keeps its id, label and place, and Hermes lists it from there. On
    0.13–0.19 the move is refused (one line naming this Hermes, status 2) and
    nothing is written."""
    home = openrouter_home
    added = run_hermes(["auth", "add", "openrouter", "--type", "api-key", "--api-key", CANARY, "--label", "team"], env)
    assert added.returncode == 0, added.stdout + added.stderr
    entries = pool_entries(home)
    assert [(e["label"], e["source"]) for e in entries] == [("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY"), ("team", "manual")]
    before = tree(home)
    result = run_cli(["pool", "--move-to", "env", "--yes"], env)
    if refused_where_numbered_keys_are_not_read(result, "--move-to env", home, before):
        return
    moved = pool_entries(home)
    assert [(e["id"], e["label"], e["priority"]) for e in moved] == [(e["id"], e["label"], e["priority"]) for e in entries]
    assert moved[1]["source"] == "env:OPENROUTER_API_KEY_2" and "access_token" not in moved[1]
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert auth_rows(listed.stdout) == [ENV_ROW, ("team", "api_key", "env:OPENROUTER_API_KEY_2")], listed.stdout
    assert f"id={moved[1]['id']}" in next(line for line in listed.stdout.splitlines() if " team " in line)
    assert files_holding(tmp_path, CANARY) == [str((home / ".env").relative_to(tmp_path))]


# -- ← and Esc inside the step (README "Keys inside the wizard") ------------------------
NAVIGATION_HINT = "Keys: Enter answers · ← previous question · Esc leaves the setup · Ctrl-C skips this step"
PLAIN_HINT = "Keys: Enter answers · Ctrl-C skips this step"


def test_left_arrow_in_the_step_means_what_it_means_in_this_wizard(existing, hermes_home):
    """iot (its menus say "ESC cancel  ← previous"): ← at the step's first
    question (the key prompt, empty) reopens Hermes' previous menu (reasoning
    effort), and choosing there shows the step again; ← at the strategy menu
    asks "Add another API key" again, keeping the key added; the run then
    finishes and Hermes reads the pool. 0.13–0.19: the hint names Ctrl-C only,
    ← at the empty key prompt and in the strategy menu changes nothing (the
    selection stays), and Esc in the menu does not leave; same end result."""
    term = start_hermes(["setup", "model"], existing)
    keep_openrouter(term)
    hint = term.expect("Add another API key for openrouter")
    hermes_menus = plain(term.log.getvalue()).split("◆ Credential pool")[0]  # what Hermes drew before the step
    assert ("ESC cancel  ← previous" in hermes_menus) == WIZARD_NAVIGATION, f"Hermes {HERMES_TEXT}: its menus' key help"
    assert (NAVIGATION_HINT if WIZARD_NAVIGATION else PLAIN_HINT) in [line.strip() for line in plain(hint).splitlines()], plain(hint)
    if WIZARD_NAVIGATION:
        term.send(LEFT)
        back_to_hermes_menu(term)
        term.expect("◆ Credential pool: openrouter")
        term.expect("Add another API key for openrouter")
        term.send(KEY_1 + ENTER)
        term.expect("Where should Hermes keep the keys you add?")
        term.expect("auth.json: Hermes' credential store")
        term.send(ENTER)
    else:
        term.send(LEFT + KEY_1 + ENTER)  # ← at the empty prompt, then the key: one answer
    term.expect("Label for this key")
    term.send("team" + ENTER)
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate between these 2 keys?")
    term.expect("random")  # the last row: the menu is drawn
    if WIZARD_NAVIGATION:
        term.send(LEFT)
        term.expect("← back to the previous question")
        term.expect("Add another API key")
        term.send(ENTER)
        term.expect("How should Hermes rotate between these 2 keys?")
        term.expect("random")
        term.send(DOWN + ENTER)  # round_robin
    else:
        term.send(ESC)  # nothing to wait for: it must change nothing
        assert term.child.expect_exact(["Setup cancelled", pexpect.EOF, pexpect.TIMEOUT], timeout=1) == 2
        term.send(DOWN + LEFT + ENTER)  # round_robin, then ←: still round_robin
    term.expect("Write these changes?")
    term.send(ENTER)
    term.expect("Added 2 credentials to openrouter")
    summary = continue_after_step(term)
    finish_model_section(term)
    assert term.finish() == 0, term.transcript()
    text = term.text()
    assert summary.startswith("Credential pool: added 2 keys to openrouter, strategy round_robin"), summary
    assert text.count("◆ Credential pool") == (2 if WIZARD_NAVIGATION else 1), f"Hermes {HERMES_TEXT}"
    assert ("← back to the previous question" in text) == WIZARD_NAVIGATION
    assert "already done in this setup run" not in text and "Setup cancelled" not in text
    assert ("Returning to the previous choice" in text) == WIZARD_NAVIGATION
    assert "Nothing in the setup comes before this question" not in text
    assert KEY_1 not in text and ENV_KEY not in text
    assert_hermes_reads_the_pool(existing, hermes_home)


def esc_reference(env) -> tuple[str, int]:
    """What Hermes' own Esc does in `hermes setup model`: Esc at its first menu
    (the provider menu); returns the last line shown and the exit status."""
    term = start_hermes(["setup", "model"], env)
    term.expect("Leave unchanged")  # the last row: the menu is drawn
    term.send(ESC)
    status = term.finish()
    return plain(term.log.getvalue()).strip().splitlines()[-1].strip(), status


def test_esc_in_the_step_leaves_the_setup_as_hermes_esc_does(existing, hermes_home, tmp_path):
    """iot: Esc at a menu of the step (the strategy menu, a key already typed)
    leaves the setup the way Esc at Hermes' own menu does: the same last line
    ("Setup cancelled …") and exit status; nothing of the step is written."""
    if not WIZARD_NAVIGATION:
        pytest.skip(f"Hermes {HERMES_TEXT}: its wizard has no Esc that leaves the setup (no _SetupGoBack/_SetupCancelled); "
                    "test_left_arrow_in_the_step_means_what_it_means_in_this_wizard checks Esc changes nothing there")
    said, status = esc_reference(existing)
    assert said.startswith("Setup cancelled"), said
    term = start_hermes(["setup", "model"], existing)
    keep_openrouter(term)
    term.expect("Add another API key for openrouter")
    term.send(KEY_1 + ENTER)
    term.expect("Where should Hermes keep the keys you add?")
    term.expect("auth.json: Hermes' credential store")
    term.send(ENTER)
    term.expect("Label for this key")
    term.send("team" + ENTER)
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate between these 2 keys?")
    term.expect("random")  # the menu is drawn
    term.send(ESC)
    term.expect("Setup cancelled")
    assert term.finish() == status, term.transcript()
    text = plain(term.log.getvalue())
    assert text.strip().splitlines()[-1].strip() == said
    assert "Write these changes?" not in text and "press Enter to continue" not in text
    assert not files_holding(tmp_path, KEY_1)
    auth = json.loads((hermes_home / "auth.json").read_text()) if (hermes_home / "auth.json").exists() else {}
    assert "openrouter" not in (auth.get("credential_pool") or {}), auth
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert "openrouter" not in (config.get("credential_pool_strategies") or {})


# -- every profile at once (README "Every profile at once") ------------------------------


def test_all_profiles_are_the_profiles_hermes_lists_and_get_the_keys(openrouter_home, env, tmp_path):
    """`hermes profile create work` (its model then set to OpenRouter), a profile
    `other` on Anthropic, and a folder `bare` under profiles/ with no file in it
    (iot: not a profile; 0.13–0.19: one). `pool --all-profiles --provider
    openrouter --key-file F --yes` writes to the profiles on OpenRouter only;
    `pool --all-profiles --list --json` names the profiles `hermes profile list`
    names, in its order; `hermes -p work auth list` shows the key."""
    if not PROFILES_CLI:
        pytest.skip(f"Hermes {HERMES_TEXT} has no `hermes profile` (no hermes_cli/profiles.py create_profile)")
    root = openrouter_home
    created = run_hermes(["profile", "create", "work", "--no-alias", "--no-skills"], env)
    assert created.returncode == 0, created.stdout + created.stderr
    profiles = root / "profiles"
    (profiles / "work" / "config.yaml").write_text("model:\n  provider: openrouter\n")
    (profiles / "other").mkdir()
    (profiles / "other" / "config.yaml").write_text("model:\n  provider: anthropic\n")
    (profiles / "bare").mkdir()
    listed = run_hermes(["profile", "list"], env)
    assert listed.returncode == 0, listed.stderr
    names = profile_names(listed.stdout)
    assert names == (["default", "other", "work"] if PROFILES_NEED_IDENTITY else ["default", "bare", "other", "work"]), listed.stdout

    key_file = tmp_path / "keys.txt"
    key_file.write_text(f"team {CANARY}\n")
    wrote = run_cli(["pool", "--all-profiles", "--provider", "openrouter", "--key-file", str(key_file), "--yes"], env)
    key_file.unlink()
    assert wrote.returncode == 0, wrote.stderr
    assert CANARY not in wrote.stdout + wrote.stderr
    assert [e["label"] for e in pool_entries(root)] == ["OPENROUTER_API_KEY", "team"]
    assert [e["label"] for e in pool_entries(profiles / "work")] == ["team"]
    assert not (profiles / "other" / "auth.json").exists() and not any((profiles / "bare").iterdir())

    result = run_cli(["pool", "--all-profiles", "--provider", "openrouter", "--list", "--json"], env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert list(dict.fromkeys(row["profile"] for row in rows)) == names, f"Hermes {HERMES_TEXT}"
    stores = {row["profile"]: row["store"] for row in rows}
    assert stores == {name: "own" if name in ("default", "work") else "root" for name in names}, rows

    work = run_hermes(["-p", "work", "auth", "list", "openrouter"], env)
    assert work.returncode == 0, work.stderr
    assert auth_rows(work.stdout) == [("team", "api_key", "manual")], work.stdout
