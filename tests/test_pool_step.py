"""The credential-pool step, every branch, with a scripted prompter and real files."""

from __future__ import annotations

import json

import pytest
import yaml

from hermes_setup_pools import Cancelled, SetupError, UsageError
from hermes_setup_pools.prompts import CANCEL, DEFAULT
from hermes_setup_pools.store.auth import load_auth

from helpers import ENV_KEY, KEY_1, KEY_2, KEY_3, run_step

OPENROUTER_CONFIG = "# my config\nmodel:\n  provider: openrouter  # chosen by hermes model\n  default: x/y\n"


@pytest.fixture
def home(hermes_home):
    (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    return hermes_home


def pool(home, key="openrouter"):
    return (load_auth(home) or {}).get("credential_pool", {}).get(key, [])


def strategies(home):
    return yaml.safe_load((home / "config.yaml").read_text()).get("credential_pool_strategies")


# -- interactive happy path ----------------------------------------------------


def test_found_env_key_plus_two_typed_keys_and_round_robin(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    outcome, text, prompter = run_step(
        home, [KEY_1, "team", KEY_2, DEFAULT, "", "round_robin", True]
    )
    assert "OPENROUTER_API_KEY" in text and "…9999" in text and "new (environment)" in text
    entries = pool(home)
    assert [(e["label"], e["source"]) for e in entries] == [
        ("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY"), ("team", "manual"), ("api-key-3", "manual"),
    ]
    assert entries[1]["access_token"] == KEY_1 and "access_token" not in entries[0]
    assert strategies(home) == {"openrouter": "round_robin"}
    assert (home / "config.yaml").read_text().startswith(OPENROUTER_CONFIG)
    assert outcome.added == ["OPENROUTER_API_KEY", "team", "api-key-3"] and outcome.config_written
    assert "hermes auth list openrouter" in text
    assert prompter.defaults["How should Hermes rotate between these 3 keys?"] == "fill_first"


def test_summary_lists_what_will_be_written_before_confirming(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    _, text, _ = run_step(home, [KEY_1, "team", "", "least_used", True])
    summary = text[text.index("About to write"):]
    assert "+ OPENROUTER_API_KEY: reference to env:OPENROUTER_API_KEY" in summary
    assert "+ team: manual key …1111" in summary
    assert "credential_pool_strategies.openrouter = least_used" in summary


def test_declining_the_confirmation_writes_nothing(home):
    before = (home / "config.yaml").read_bytes()
    outcome, text, _ = run_step(home, [KEY_1, "a", KEY_2, "b", "", "random", False])
    assert "Nothing was changed" in text
    assert not (home / "auth.json").exists()
    assert (home / "config.yaml").read_bytes() == before
    assert not outcome.auth_written


def test_strategy_is_not_asked_for_a_single_key(home):
    outcome, _, prompter = run_step(home, [KEY_1, "solo", "", True])
    assert [kind for kind, _ in prompter.asked] == ["password", "text", "password", "confirm"]
    assert strategies(home) is None  # config.yaml untouched
    assert (home / "config.yaml").read_text() == OPENROUTER_CONFIG
    assert outcome.added == ["solo"]


def test_strategy_flag_applies_without_asking(home):
    run_step(home, [KEY_1, "solo", "", True], strategy="least_used")
    assert strategies(home) == {"openrouter": "least_used"}


def test_current_strategy_is_preselected(home):
    (home / "config.yaml").write_text(OPENROUTER_CONFIG + "credential_pool_strategies:\n  openrouter: least_used\n")
    _, _, prompter = run_step(home, [KEY_1, "a", KEY_2, "b", "", DEFAULT, True])
    assert prompter.defaults["How should Hermes rotate between these 2 keys?"] == "least_used"
    assert strategies(home) == {"openrouter": "least_used"}


def test_unknown_strategy_in_config_is_reported(home):
    (home / "config.yaml").write_text(OPENROUTER_CONFIG + "credential_pool_strategies:\n  openrouter: fastest\n")
    _, text, prompter = run_step(home, [KEY_1, "a", KEY_2, "b", "", "random", True])
    assert "'fastest'" in text and "silently uses fill_first" in text
    assert prompter.defaults["How should Hermes rotate between these 2 keys?"] == "fill_first"
    assert strategies(home) == {"openrouter": "random"}


# -- refusals ----------------------------------------------------------------------


def test_bad_pastes_are_refused_with_a_reason_then_a_good_key_is_taken(home):
    _, _text, prompter = run_step(
        home, ["none", f"{KEY_1} {KEY_2}", f"export OPENROUTER_API_KEY={KEY_1}", KEY_1, "ok", "", True]
    )
    assert prompter.refusals == [
        "that is a placeholder, not a real key",
        "that looks like two keys pasted together; add them one at a time",
        "that looks like a command line or VAR=value, not a key; paste only the key itself",
    ]
    assert [e["label"] for e in pool(home)] == ["ok"]


def test_a_key_already_in_the_pool_is_refused_naming_its_label(home):
    run_step(home, [KEY_1, "team", "", True])
    # an existing pool opens the action menu: Add keys, ..., then Finish
    _, _, prompter = run_step(home, ["add", KEY_1, KEY_2, "second", "", "finish", True])
    assert prompter.refusals == ["that key is already in the pool as 'team'"]
    assert [e["label"] for e in pool(home)] == ["team", "second"]


def test_a_key_typed_twice_in_one_run_is_refused(home):
    _, _, prompter = run_step(home, [KEY_1, "one", KEY_1, "", True])
    assert prompter.refusals == ["that key is already in the pool as 'one'"]


def test_the_env_key_typed_again_is_refused(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    _, _, prompter = run_step(home, [ENV_KEY, ""])
    assert prompter.refusals == ["that key is already in the pool as 'OPENROUTER_API_KEY'"]


def test_wrong_prefix_warns_and_asks(home):
    odd = "abcdefgh" * 5
    _, _, prompter = run_step(home, [odd, False, odd, True, "odd", "", True])
    confirm_question = next(msg for kind, msg in prompter.asked if kind == "confirm")
    assert "usually start with sk-or-" in confirm_question
    assert [e["label"] for e in pool(home)] == ["odd"]


def test_labels_must_be_unique_and_clean(home):
    run_step(home, [KEY_1, "team", "", True])
    _, _, prompter = run_step(home, ["add", KEY_2, "TEAM", "bad\x07", "  other  ", "", DEFAULT, True])
    assert prompter.refusals == [
        "the label 'TEAM' is already used in this pool",
        "the label contains control or formatting characters",
    ]
    assert [e["label"] for e in pool(home)] == ["team", "other"]


def test_empty_label_takes_the_default(home):
    _, _, prompter = run_step(home, [KEY_1, "   ", "", True])
    assert [e["label"] for e in pool(home)] == ["api-key-1"]
    assert ("text", "Label for this key (Enter for api-key-1):") in prompter.asked


def test_default_label_skips_labels_in_use(home):
    run_step(home, [KEY_1, "api-key-2", "", True])
    run_step(home, ["add", KEY_2, DEFAULT, "", DEFAULT, True])
    assert [e["label"] for e in pool(home)] == ["api-key-2", "api-key-3"]


# -- skips -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config,words",
    [
        ("", "no provider is chosen yet"),
        ("model:\n  provider: openai-codex\n", "OAuth"),
        ("model:\n  provider: bedrock\n", "AWS"),
        ("model:\n  provider: mystery\n", "'mystery'"),
    ],
)
def test_providers_that_cannot_pool_are_skipped_in_one_line(hermes_home, config, words):
    (hermes_home / "config.yaml").write_text(config)
    outcome, text, prompter = run_step(hermes_home, [])
    assert outcome.pool_key is None and words in outcome.skipped_reason
    assert text.strip().startswith("Credential pool: skipped —") and len(text.strip().splitlines()) == 1
    assert prompter.asked == []
    assert not (hermes_home / "auth.json").exists()


def test_non_interactive_run_fails_for_a_provider_that_cannot_pool(hermes_home):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openai-codex\n")
    with pytest.raises(SetupError, match="OAuth"):
        run_step(hermes_home, interactive=False, yes=True)


def test_provider_flag_overrides_config(home, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "z" * 40)
    run_step(home, ["sk-ant-api03-" + "y" * 40, "second", "", "random", True], provider="anthropic")
    assert [e["source"] for e in pool(home, "anthropic")] == ["env:ANTHROPIC_API_KEY", "manual"]
    assert pool(home, "openrouter") == []
    assert strategies(home) == {"anthropic": "random"}


def test_unknown_provider_flag_is_an_error_with_a_suggestion(home):
    with pytest.raises(SetupError, match="did you mean 'anthropic'"):
        run_step(home, [], provider="antropic")


# -- cancel ------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [[CANCEL], [KEY_1, CANCEL], [KEY_1, "a", KEY_2, "b", "", CANCEL], [KEY_1, "a", "", CANCEL]])
def test_cancel_at_any_prompt_writes_nothing(home, answers):
    before = (home / "config.yaml").read_bytes()
    with pytest.raises(Cancelled):
        run_step(home, answers)
    assert not (home / "auth.json").exists()
    assert (home / "config.yaml").read_bytes() == before


# -- discovery ---------------------------------------------------------------------


def test_dotenv_value_wins_over_the_environment(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY_3)
    (home / ".env").write_text(f"# hermes secrets\nexport OPENROUTER_API_KEY='{ENV_KEY}'\n")
    _, text, _ = run_step(home, [KEY_1, "a", "", "fill_first", True])
    assert "…9999" in text and "new (.env)" in text
    from hermes_setup_pools.keys.fingerprint import fingerprint

    assert pool(home)[0]["secret_fingerprint"] == fingerprint(ENV_KEY)


def test_custom_pool_seeds_config_and_model_keys(hermes_home):
    (hermes_home / "config.yaml").write_text(
        "model:\n  provider: custom\n  base_url: https://api.together.xyz/v1/\n  api_key: " + KEY_2 + "\n"
        "custom_providers:\n  - name: Together AI\n    base_url: https://api.together.xyz/v1\n    api_key: ${TOGETHER_KEY}\n"
    )
    (hermes_home / ".env").write_text(f"TOGETHER_KEY={KEY_1}\n")
    _, text, _ = run_step(hermes_home, [KEY_3, "mine", "", "round_robin", True])
    entries = pool(hermes_home, "custom:together-ai")
    assert [(e["label"], e["source"]) for e in entries] == [
        ("Together AI", "config:Together AI"), ("model_config", "model_config"), ("mine", "manual"),
    ]
    assert entries[0]["base_url"] == "https://api.together.xyz/v1"
    assert strategies(hermes_home) == {"custom:together-ai": "round_robin"}
    assert "◆ Credential pool: custom:together-ai" in text


def test_suppressed_env_source_is_shown_but_not_seeded(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    (home / "auth.json").write_text(json.dumps({"suppressed_sources": {"openrouter": ["env:OPENROUTER_API_KEY"]}}))
    _, text, _ = run_step(home, [KEY_1, "a", "", True])
    assert "env:OPENROUTER_API_KEY was removed from this pool earlier (suppressed); Hermes leaves it out" in text
    assert [e["label"] for e in pool(home)] == ["a"]


def test_existing_entries_are_shown_masked(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    run_step(home, [KEY_1, "team", "", "fill_first", True])
    _, text, _ = run_step(home, [DEFAULT])  # Enter on the menu's Finish
    assert "team" in text and "…1111" in text and "…9999" in text


# -- re-runs -----------------------------------------------------------------------


def snapshot(home):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in home.iterdir() if p.name != "auth.lock"}


def test_rerun_with_the_same_answers_changes_nothing(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    run_step(home, [KEY_1, "team", "", "round_robin", True])
    before = snapshot(home)
    outcome, text, prompter = run_step(home, ["strategy", DEFAULT, DEFAULT])  # the strategy, Enter, Finish
    assert snapshot(home) == before
    assert prompter.defaults["How should Hermes rotate between these 2 keys?"] == "round_robin"
    assert "Nothing to change" in text
    assert not outcome.auth_written and not outcome.config_written


def test_keys_added_by_another_tool_are_kept(home):
    run_step(home, [KEY_1, "team", "", True])
    data = load_auth(home)
    data["credential_pool"]["openrouter"].append(
        {"id": "f00f00", "label": "from-hermes", "source": "manual", "access_token": KEY_2, "priority": 1}
    )
    (home / "auth.json").write_text(json.dumps(data))
    run_step(home, ["add", KEY_3, "third", "", "strategy", "random", "finish", True])
    assert [e["label"] for e in pool(home)] == ["team", "from-hermes", "third"]
    assert pool(home)[2]["priority"] == 2


def test_accepting_hermes_default_strategy_does_not_write_config(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    before = (home / "config.yaml").read_bytes()
    run_step(home, [KEY_1, "team", "", DEFAULT, True])  # Enter on the preselected fill_first
    assert (home / "config.yaml").read_bytes() == before
    assert [e["label"] for e in pool(home)] == ["OPENROUTER_API_KEY", "team"]


def test_pressing_enter_through_an_existing_pool_writes_nothing(home, monkeypatch):
    (home / "auth.json").write_text(json.dumps({"credential_pool": {"openrouter": [
        {"id": "aaaaaa", "label": "one", "source": "manual", "access_token": KEY_1, "priority": 0},
        {"id": "bbbbbb", "label": "two", "source": "manual", "access_token": KEY_2, "priority": 1},
    ]}}))
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    before = snapshot(home)
    _, text, _ = run_step(home, ["strategy", DEFAULT, "add", "", DEFAULT])
    assert snapshot(home) == before and "Nothing to change" in text


def test_explicit_strategy_flag_is_written_even_when_it_is_the_default(home):
    run_step(home, [KEY_1, "a", KEY_2, "b", "", True], strategy="fill_first")
    assert strategies(home) == {"openrouter": "fill_first"}


def test_only_seeds_and_no_change_writes_nothing(home, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    run_step(home, [""])
    assert not (home / "auth.json").exists()


# -- non-interactive ---------------------------------------------------------------


def key_file(tmp_path, text):
    path = tmp_path / "keys.txt"
    path.write_text(text)
    return str(path)


def test_key_file_labels_defaults_and_comments(home, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    keys = key_file(tmp_path, f"# team keys\n\nteam {KEY_1}\n{KEY_2}\n  night shift   {KEY_3}  \n")
    _, _text, _ = run_step(home, interactive=False, key_file=keys, strategy="round_robin", yes=True)
    assert [e["label"] for e in pool(home)] == ["OPENROUTER_API_KEY", "team", "api-key-3", "night shift"]
    assert strategies(home) == {"openrouter": "round_robin"}


def test_key_file_duplicates_are_skipped_with_a_note(home, tmp_path):
    run_step(home, interactive=False, key_file=key_file(tmp_path, f"team {KEY_1}\n"), yes=True)
    keys = key_file(tmp_path, f"{KEY_1}\n{KEY_2}\nagain {KEY_2}\n")
    _, text, _ = run_step(home, interactive=False, key_file=keys, yes=True)
    assert "line 1: already in the pool as 'team'; skipped" in text
    assert "line 3: already in the pool as 'api-key-2'; skipped" in text
    assert [e["label"] for e in pool(home)] == ["team", "api-key-2"]


@pytest.mark.parametrize("bad,reason", [("none", "placeholder"), (f"export OPENROUTER_API_KEY={KEY_2}", "command line"),
                                        (f"lab\x07el {KEY_2}", "control or formatting characters")])
def test_malformed_key_file_line_is_an_error_naming_it_and_nothing_is_written(home, tmp_path, bad, reason):
    keys = key_file(tmp_path, f"{KEY_1}\n\n{bad}\n")
    with pytest.raises(SetupError) as err:
        run_step(home, interactive=False, key_file=keys, yes=True)
    assert "line 3" in str(err.value) and reason in str(err.value)
    assert KEY_2 not in str(err.value)
    assert not (home / "auth.json").exists()


def test_without_yes_the_summary_is_shown_and_nothing_written(home, tmp_path):
    before = (home / "config.yaml").read_bytes()
    with pytest.raises(UsageError, match="--yes"):
        run_step(home, interactive=False, key_file=key_file(tmp_path, f"{KEY_1}\n"), strategy="random")
    assert not (home / "auth.json").exists()
    assert (home / "config.yaml").read_bytes() == before


def test_without_strategy_config_is_not_touched(home, tmp_path):
    before = (home / "config.yaml").read_bytes()
    run_step(home, interactive=False, key_file=key_file(tmp_path, f"{KEY_1}\n{KEY_2}\n"), yes=True)
    assert (home / "config.yaml").read_bytes() == before
    assert len(pool(home)) == 2


def test_dry_run_prints_masked_diffs_and_writes_nothing(home, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    before = (home / "config.yaml").read_bytes()
    _, text, _ = run_step(home, interactive=False, key_file=key_file(tmp_path, f"team {KEY_1}\n"),
                          strategy="round_robin", dry_run=True)
    assert "+++ auth.json (after)" in text and '"access_token": "…1111"' in text
    assert "+++ config.yaml (after)" in text and "+  openrouter: round_robin" in text
    assert "Dry run: nothing was written." in text
    assert not (home / "auth.json").exists()
    assert (home / "config.yaml").read_bytes() == before


def test_non_interactive_rerun_changes_nothing(home, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    keys = key_file(tmp_path, f"team {KEY_1}\n{KEY_2}\n")
    run_step(home, interactive=False, key_file=keys, strategy="round_robin", yes=True)
    before = snapshot(home)
    _, text, _ = run_step(home, interactive=False, key_file=keys, strategy="round_robin", yes=True)
    assert snapshot(home) == before
    assert "Nothing to change" in text


def test_anthropic_oauth_tokens_are_marked_oauth(hermes_home, tmp_path):
    (hermes_home / "config.yaml").write_text("model:\n  provider: anthropic\n")
    token = "sk-ant-oat01-" + "q" * 40
    run_step(hermes_home, interactive=False, key_file=key_file(tmp_path, f"{token}\n"), yes=True)
    assert pool(hermes_home, "anthropic")[0]["auth_type"] == "oauth"
