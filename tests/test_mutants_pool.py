"""Planning a run that changes the same pool several times (#21.6: tests that
kill the survivors of a mutation run of ``pool/plan``, ``pool/changes`` and
``pool/apply``): a key or label freed earlier in the run can be used again,
two keys added in one run never share a label or an id, and each kind of
change lands on the entry it names. Real files, the real step."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hermes_setup_pools import SetupError
from hermes_setup_pools.keys.fingerprint import fingerprint
from hermes_setup_pools.pool.apply import apply_changes
from hermes_setup_pools.pool.changes import (
    Add,
    Move,
    NewId,
    Remove,
    Rename,
    Renumber,
    Replace,
    Reset,
    Target,
    ToEnv,
    counts,
    subject,
)
from hermes_setup_pools.store.entries import STATUS_FIELDS, NewCredential, new_entry

from helpers import KEY_1, KEY_2, KEY_3, run_step

KEY_4 = "sk-or-v1-" + "4" * 52 + "4444"
CONFIG = "model:\n  provider: openrouter\n"


@pytest.fixture
def home(hermes_home: Path, tmp_path: Path) -> Path:
    """A pool of two manual keys: team (KEY_1, #1) and night (KEY_2, #2)."""
    (hermes_home / "config.yaml").write_text(CONFIG)
    keys = tmp_path / "first.txt"
    keys.write_text(f"team {KEY_1}\nnight {KEY_2}\n")
    run_step(hermes_home, interactive=False, key_file=str(keys), yes=True)
    return hermes_home


def entries(home: Path) -> list[dict]:
    pool = json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]
    return sorted(pool, key=lambda e: e["priority"])


def by_label(home: Path) -> dict[str, str]:
    return {e["label"]: e.get("access_token", "") for e in entries(home)}


def key_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "keys.txt"
    path.write_text(text)
    return str(path)


# -- a label freed earlier in the run ------------------------------------------------------------


def test_a_label_renamed_away_can_be_given_to_a_new_key_in_the_same_run(home):
    _, text, prompter = run_step(home, [
        "rename", "2", "late",  # night -> late
        "add", KEY_3, "night", "",  # a new key takes the freed label
        "finish", True,
    ])
    assert prompter.refusals == []
    assert by_label(home) == {"team": KEY_1, "late": KEY_2, "night": KEY_3}
    assert "+ night (…3333)" in text


def test_a_removed_key_is_accepted_again_at_the_prompt_with_its_old_label(home):
    _, text, prompter = run_step(home, ["remove", "1", "add", KEY_1, "team", "", "finish", True])
    assert prompter.refusals == []  # neither "already in the pool" nor "label already used"
    assert "- team will be removed" in text and "+ team (…1111)" in text


def test_a_key_removed_and_added_again_in_one_run_is_in_the_pool_afterwards(home):
    run_step(home, ["remove", "1", "add", KEY_1, "team", "", "finish", True])
    assert by_label(home) == {"night": KEY_2, "team": KEY_1}


# -- two keys of one run -------------------------------------------------------------------------


def test_two_keys_of_one_key_file_with_the_same_label_are_refused(home, tmp_path):
    before = (home / "auth.json").read_bytes()
    with pytest.raises(SetupError, match=r"line 2: the label 'Fast' is already used in this pool; nothing was written"):
        run_step(home, interactive=False, key_file=key_file(tmp_path, f"fast {KEY_3}\nFast {KEY_4}\n"), yes=True)
    assert (home / "auth.json").read_bytes() == before


def test_the_same_key_twice_in_one_key_file_is_added_once(home, tmp_path):
    _, text, _ = run_step(home, interactive=False, key_file=key_file(tmp_path, f"a {KEY_3}\nb {KEY_3}\n"), yes=True)
    assert "line 2: already in the pool as 'a'; skipped" in text
    assert by_label(home) == {"team": KEY_1, "night": KEY_2, "a": KEY_3}


def test_default_labels_of_keys_added_together_count_on_from_the_pool(home, tmp_path):
    run_step(home, interactive=False, key_file=key_file(tmp_path, f"{KEY_3}\n{KEY_4}\n"), yes=True)
    assert list(by_label(home)) == ["team", "night", "api-key-3", "api-key-4"]


def test_the_prompt_refuses_a_label_already_given_to_a_key_of_this_run(home):
    _, _, prompter = run_step(home, [
        "add", KEY_3, "fast", KEY_4, "FAST", "slow", "",
        "finish", True,
    ])
    assert prompter.refusals == ["the label 'FAST' is already used in this pool"]
    assert by_label(home) == {"team": KEY_1, "night": KEY_2, "fast": KEY_3, "slow": KEY_4}


def test_the_prompt_refuses_a_key_already_added_in_this_run(home):
    _, _, prompter = run_step(home, ["add", KEY_3, "fast", KEY_3, "", "finish", True])
    assert prompter.refusals == ["that key is already in the pool as 'fast'"]
    assert by_label(home) == {"team": KEY_1, "night": KEY_2, "fast": KEY_3}


@pytest.fixture
def colliding_ids(monkeypatch):
    """Entry ids drawn as aaaaaa, aaaaaa, bbbbbb, cccccc, …: the second draw
    repeats the first (1 in 16 million, but it happens)."""
    draws = iter([b"\xaa\xaa\xaa", b"\xaa\xaa\xaa", b"\xbb\xbb\xbb", b"\xcc\xcc\xcc", b"\xdd\xdd\xdd", b"\xee\xee\xee"])
    real = os.urandom

    def urandom(n: int) -> bytes:
        return next(draws) if n == 3 else real(n)

    monkeypatch.setattr(os, "urandom", urandom)


def test_two_keys_of_one_run_get_distinct_ids_so_a_move_finds_the_second(home, colliding_ids):
    _, text, prompter = run_step(home, [
        "add", KEY_3, "fast", KEY_4, "slow", "",
        "move", "4", "1",  # slow to the top
        "finish", True,
    ])
    assert prompter.refusals == []
    assert "skipped" not in text
    pool = entries(home)
    assert [e["label"] for e in pool] == ["slow", "team", "night", "fast"]
    assert [e["priority"] for e in pool] == [0, 1, 2, 3]
    assert {e["label"]: e["id"] for e in pool if e["label"] in ("fast", "slow")} == {"fast": "aaaaaa", "slow": "bbbbbb"}


def test_the_strategy_question_counts_the_keys_added_in_this_run(hermes_home):
    (hermes_home / "config.yaml").write_text(CONFIG)
    _, _, prompter = run_step(hermes_home, [KEY_1, "a", KEY_2, "b", KEY_3, "c", "", "round_robin", True])
    assert "How should Hermes rotate between these 3 keys?" in prompter.defaults
    assert [message for kind, message in prompter.asked if kind == "password"] == [
        "Add an API key for openrouter (Enter to finish):",
        "Add another API key for openrouter (Enter to finish):",
        "Add another API key for openrouter (Enter to finish):",
        "Add another API key for openrouter (Enter to finish):",
    ]


# -- how each change applies to the pool as it is at the moment of writing ----------------------

URL = "https://openrouter.ai/api/v1"
ENV = "env:OPENROUTER_API_KEY"
ENV_SECRET = "sk-or-v1-" + "e" * 52 + "9999"


def manual(label: str, key: str, entry_id: str, priority: int, **status) -> dict:
    entry = new_entry(NewCredential(label, "manual", key, URL), entry_id, label, priority)
    entry.update(status)
    return entry


def borrowed(priority: int = 2) -> dict:
    return new_entry(NewCredential("OPENROUTER_API_KEY", ENV, ENV_SECRET, URL), "eee111", "OPENROUTER_API_KEY", priority)


def pool3() -> list[dict]:
    """team (#1), night (#2, rate-limited), the env key (#3)."""
    return [manual("team", KEY_1, "aaa111", 0),
            manual("night", KEY_2, "bbb222", 1, last_status="exhausted", last_error_code=429),
            borrowed()]


def labels_of(entries: list) -> list[tuple[str, int]]:
    return [(e["label"], e["priority"]) for e in entries]


def target(entries: list, label: str) -> Target:
    position, entry = next((n, e) for n, e in enumerate(entries, start=1) if e["label"] == label)
    return Target.of(entry, position)


def test_removing_a_manual_key_renumbers_and_suppresses_nothing():
    before = pool3()
    change = Remove(target(before, "team"))
    result = apply_changes(before, [], (change,))
    assert labels_of(result.entries) == [("night", 0), ("OPENROUTER_API_KEY", 1)]
    assert result.suppressed == [] and result.done == [change] and result.skipped == []
    assert result.renumbered == [1, 2] and result.origins == [1, 2]
    assert labels_of(before) == [("team", 0), ("night", 1), ("OPENROUTER_API_KEY", 2)]  # the input is never changed


def test_removing_a_borrowed_key_suppresses_its_source_once():
    before = pool3()
    result = apply_changes(before, ["config:other"], (Remove(target(before, "OPENROUTER_API_KEY")),))
    assert result.suppressed == ["config:other", ENV]
    assert labels_of(result.entries) == [("team", 0), ("night", 1)] and result.renumbered is None
    again = apply_changes(before, [ENV], (Remove(target(before, "OPENROUTER_API_KEY")),))
    assert again.suppressed == [ENV]


def test_an_entry_removed_or_changed_meanwhile_is_skipped_with_the_reason():
    planned = pool3()
    gone = Remove(target(planned, "team"))
    now = [e for e in pool3() if e["label"] != "team"]
    result = apply_changes(now, [], (gone,))
    assert result.skipped == [(gone, "'team' is no longer in the pool (removed by another program meanwhile)")]
    assert not result.changed and result.entries == now
    swapped = pool3()
    swapped[0]["access_token"] = KEY_3
    result = apply_changes(swapped, [], (gone,))
    assert result.skipped == [(gone, "'team' was changed by another program meanwhile; run again to see it as it is now")]
    moved_source = pool3()
    moved_source[0]["source"] = "manual:old"
    assert apply_changes(moved_source, [], (gone,)).skipped[0][1].startswith("'team' was changed by another program")


def test_entries_sharing_an_id_and_key_are_told_apart_by_label_then_position():
    twin = manual("twin", KEY_1, "aaa111", 1)
    pool = [manual("team", KEY_1, "aaa111", 0), twin]
    result = apply_changes(pool, [], (Remove(Target.of(twin, 2)),))
    assert labels_of(result.entries) == [("team", 0)]
    same = [manual("team", KEY_1, "aaa111", 0), manual("team", KEY_1, "aaa111", 1)]
    second = apply_changes(same, [], (Rename(Target.of(same[1], 2), "copy"),))
    assert labels_of(second.entries) == [("team", 0), ("copy", 1)]
    first = apply_changes(same, [], (Rename(Target.of(same[0], 1), "copy"),))
    assert labels_of(first.entries) == [("copy", 0), ("team", 1)]
    nowhere = Rename(Target.of(same[0], None), "copy")
    result = apply_changes(same, [], (nowhere,))
    assert result.skipped == [(nowhere, "'team' shares its id and key with another entry, so it cannot be told apart; "
                                        "give the entries new ids first (hermes-setup-pools doctor --fix)")]
    out_of_range = Rename(Target.of(same[0], 3), "copy")
    assert apply_changes(same, [], (out_of_range,)).skipped[0][1].startswith("'team' shares its id")


def test_a_rename_frees_the_old_label_and_refuses_one_taken_meanwhile():
    before = pool3()
    result = apply_changes(before, [], (
        Rename(target(before, "team"), "day"),
        Rename(target(before, "night"), "team"),  # the label team left
        Add(NewCredential("night", "manual", KEY_3, URL)),  # and the one night left
    ))
    assert result.skipped == []
    assert labels_of(result.entries) == [("day", 0), ("team", 1), ("OPENROUTER_API_KEY", 2), ("night", 3)]
    taken = Rename(target(before, "team"), "NIGHT")
    result = apply_changes(before, [], (taken,))
    assert result.skipped == [(taken, "another entry is now labelled 'NIGHT'")]
    case_only = Rename(target(before, "team"), "Team")
    assert labels_of(apply_changes(before, [], (case_only,)).entries)[0] == ("Team", 0)


def test_a_move_puts_the_entry_at_its_position_clamped_to_the_pool():
    before = pool3()
    top = apply_changes(before, [], (Move(target(before, "OPENROUTER_API_KEY"), 0),))
    assert labels_of(top.entries) == [("OPENROUTER_API_KEY", 0), ("team", 1), ("night", 2)]
    assert top.renumbered is None and top.origins == [2, 0, 1]
    last = apply_changes(before, [], (Move(target(before, "team"), 99),))
    assert labels_of(last.entries) == [("night", 0), ("OPENROUTER_API_KEY", 1), ("team", 2)]
    first = apply_changes(before, [], (Move(target(before, "night"), -5),))
    assert labels_of(first.entries) == [("night", 0), ("team", 1), ("OPENROUTER_API_KEY", 2)]
    middle = apply_changes(before, [], (Move(target(before, "team"), 1),))
    assert labels_of(middle.entries) == [("night", 0), ("team", 1), ("OPENROUTER_API_KEY", 2)]


def test_a_replaced_key_keeps_id_label_and_place_and_clears_the_status():
    before = pool3()
    change = Replace(target(before, "night"), NewCredential("night", "manual", KEY_3, URL, "oauth"))
    result = apply_changes(before, [], (change,))
    night = result.entries[1]
    assert night == {**manual("night", KEY_3, "bbb222", 1), "auth_type": "oauth"}
    assert all(night[name] is None for name in STATUS_FIELDS)
    # the new key is now in the pool; the old one is free
    again = apply_changes(before, [], (change, Add(NewCredential("copy", "manual", KEY_3, URL))))
    assert again.skipped == [(again.skipped[0][0], "already in the pool as 'night'")]
    taken = Replace(target(before, "night"), NewCredential("night", "manual", KEY_1, URL))
    assert apply_changes(before, [], (taken,)).skipped == [(taken, "that key is already in the pool as 'team'")]


def test_a_reset_clears_every_status_field_and_refuses_an_entry_without_one():
    before = pool3()
    reset = Reset(target(before, "night"))
    result = apply_changes(before, [], (reset,))
    assert result.entries[1] == manual("night", KEY_2, "bbb222", 1) and result.done == [reset]
    for name in STATUS_FIELDS:
        one = pool3()
        one[0][name] = 1
        assert apply_changes(one, [], (Reset(target(one, "team")),)).done, name
    idle = Reset(target(before, "team"))
    assert apply_changes(before, [], (idle,)).skipped == [(idle, "'team' has no cooldown or error to reset")]


def test_a_key_moved_to_env_becomes_a_reference_row():
    before = pool3()
    cred = NewCredential("team", "env:OPENROUTER_API_KEY_2", KEY_1, URL)
    change = ToEnv(target(before, "team"), cred)
    result = apply_changes(before, [], (change, Add(NewCredential("x", "env:OPENROUTER_API_KEY_2", KEY_3, URL))))
    team = result.entries[0]
    assert "access_token" not in team and team["source"] == "env:OPENROUTER_API_KEY_2"
    assert team["secret_fingerprint"] == fingerprint(KEY_1) and team["id"] == "aaa111" and team["label"] == "team"
    assert [reason for _, reason in result.skipped] == ["env:OPENROUTER_API_KEY_2 is already in the pool as 'team'"]
    not_manual = ToEnv(target(before, "OPENROUTER_API_KEY"), cred)
    assert apply_changes(before, [], (not_manual,)).skipped == [
        (not_manual, "'OPENROUTER_API_KEY' no longer holds its key in auth.json")]
    taken = ToEnv(target(before, "team"), NewCredential("team", ENV, KEY_1, URL))
    assert apply_changes(before, [], (taken,)).skipped == [(taken, f"{ENV} is already in the pool")]


def test_new_ids_differ_from_every_id_in_the_pool_and_from_each_other(monkeypatch):
    draws = iter([b"\xaa\xa1\x11", b"\x12\x34\x56", b"\x12\x34\x56", b"\x65\x43\x21"])
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: next(draws) if n == 3 else real(n))
    twins = [manual("team", KEY_1, "aaa111", 0), manual("night", KEY_2, "aaa111", 1), borrowed()]
    result = apply_changes(twins, [], (NewId(Target.of(twins[0], 1)), NewId(Target.of(twins[1], 2))))
    assert [e["id"] for e in result.entries] == ["123456", "654321", "eee111"]


def test_added_entries_follow_the_highest_priority_and_get_free_labels_and_ids():
    before = [manual("team", KEY_1, "aaa111", 4), {"not": "an entry"}, "junk",
              {**manual("night", KEY_2, "bbb222", 0), "priority": "7"}]
    result = apply_changes(before, [], (
        Add(NewCredential("team", "manual", KEY_3, URL), "aaa111"),  # the id is taken: a new one
        Add(NewCredential("team", "manual", ENV_SECRET, URL), "ccc333"),
    ))
    added = result.added
    assert [(e["label"], e["priority"]) for e in added] == [("team-2", 5), ("team-3", 6)]
    assert added[0]["id"] not in ("aaa111", "bbb222", "ccc333") and added[1]["id"] == "ccc333"
    assert result.entries[:4] == before and result.origins == [0, 1, 2, 3, None, None]


def test_an_added_reference_is_refused_when_its_source_is_in_the_pool_or_suppressed():
    before = pool3()
    same_source = Add(NewCredential("other", ENV, KEY_3, URL))
    result = apply_changes(before, [], (same_source,))
    assert result.skipped == [(same_source, f"{ENV} is already in the pool as 'OPENROUTER_API_KEY'")]
    hidden = Add(NewCredential("x", "env:OPENROUTER_API_KEY_2", KEY_3, URL))
    result = apply_changes(before, ["env:OPENROUTER_API_KEY_2"], (hidden,))
    assert result.skipped == [(hidden, "env:OPENROUTER_API_KEY_2 was removed from this pool; not re-adding it")]
    two_manual = apply_changes(before, [], (Add(NewCredential("a", "manual", KEY_3, URL)),
                                            Add(NewCredential("b", "manual", KEY_4, URL))))
    assert [e["label"] for e in two_manual.added] == ["a", "b"]


def test_renumber_puts_priorities_in_hermes_order_and_reports_the_old_values():
    before = [manual("a", KEY_1, "aaa111", 5), manual("b", KEY_2, "bbb222", 5), manual("c", KEY_3, "ccc333", 2)]
    result = apply_changes(before, [], (Renumber(),))
    assert labels_of(result.entries) == [("c", 0), ("a", 1), ("b", 2)] and result.renumbered == [2, 5, 5]
    ordered = [manual("a", KEY_1, "aaa111", 0), manual("b", KEY_2, "bbb222", 1)]
    assert apply_changes(ordered, [], (Renumber(),)).renumbered is None


def test_counts_and_subjects_in_words():
    cred = NewCredential("new", "manual", KEY_3, URL)
    t = Target("aaa111", "team", "manual", fingerprint(KEY_1), 1)
    done = [Add(cred), Add(cred), Remove(t), Rename(t, "x"), Move(t, 0), Replace(t, cred), Reset(t), ToEnv(t, cred),
            NewId(t), Renumber()]
    assert counts(done) == ["added 2", "removed 1", "renamed 1", "moved 1", "replaced the key of 1", "reset 1",
                            "moved 1 key to .env", "gave 1 entry a new id", "renumbered the priorities"]
    assert counts([Remove(t)]) == ["removed 1"]
    assert [subject(c) for c in (Add(cred), Renumber(), Remove(t))] == ["new", "priorities", "team"]


def test_a_target_names_its_entry_without_showing_a_key():
    entry = manual("team", KEY_1, "aaa111", 0)
    assert Target.of(entry, 2) == Target("aaa111", "team", "manual", fingerprint(KEY_1), 2)
    assert Target.of(entry, 2).named() == "'team' (#2, id aaa111)"
    bare = {"label": KEY_1, "access_token": KEY_1}
    assert Target.of(bare) == Target("", KEY_1, "manual", fingerprint(KEY_1), None)
    assert Target.of(bare).named() == "'…1111' (no id)"
    assert Target.of({"id": 7, "source": "env:X", "secret_fingerprint": "sha256:abc"}, 1) == Target(
        "7", "env:X", "env:X", "sha256:abc", 1)


def test_entries_without_id_source_or_label_are_found_and_changed():
    bare = {"priority": 0, "access_token": KEY_1}  # a hand-written entry: no id, no source, no label
    other = manual("none", KEY_2, "bbb222", 1)
    xxxx = manual("xxxx", KEY_3, "ccc333", 2)
    pool = [bare, other, xxxx]
    removed = apply_changes(pool, [], (Remove(Target.of(bare, 1)),))
    assert removed.skipped == [] and removed.suppressed == [] and labels_of(removed.entries) == [("none", 0), ("xxxx", 1)]
    for taken in ("NONE", "XXXX"):
        clash = Rename(Target.of(bare, 1), taken)
        assert apply_changes(pool, [], (clash,)).skipped == [(clash, f"another entry is now labelled {taken!r}")]
    renamed = apply_changes(pool, [], (Rename(Target.of(bare, 1), "day"), Add(NewCredential("none", "manual", KEY_4, URL)),
                                       Add(NewCredential("day", "manual", ENV_SECRET, URL))))
    assert [e["label"] for e in renamed.added] == ["none-2", "day-2"]
    moved = apply_changes(pool, [], (ToEnv(Target.of(bare, 1), NewCredential("x", "env:OPENROUTER_API_KEY_2", KEY_1, URL)),))
    assert moved.skipped == [] and moved.entries[0]["source"] == "env:OPENROUTER_API_KEY_2"


def test_twins_are_told_apart_by_label_without_a_position_and_never_by_position_0():
    team, twin = manual("team", KEY_1, "aaa111", 0), manual("twin", KEY_1, "aaa111", 1)
    result = apply_changes([team, twin], [], (Remove(Target.of(twin)),))
    assert labels_of(result.entries) == [("team", 0)]
    same = [manual("team", KEY_1, "aaa111", 0), manual("team", KEY_1, "aaa111", 1)]
    nowhere = Remove(Target.of(same[1], 0))
    assert apply_changes(same, [], (nowhere,)).skipped[0][1].startswith("'team' shares its id and key")


def test_ids_given_in_a_run_are_never_given_again(monkeypatch):
    draws = iter([b"\xaa\xa1\x11", b"\x12\x34\x56", b"\x65\x43\x21"])
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: next(draws) if n == 3 else real(n))
    pool = pool3()
    # the removed entry's id stays taken for the rest of the run; an id given by NewId is taken for an Add
    result = apply_changes(pool, [], (Remove(target(pool, "team")), NewId(target(pool, "night")),
                                      Add(NewCredential("new", "manual", KEY_3, URL), "123456")))
    assert [e["id"] for e in result.entries] == ["123456", "eee111", "654321"]


def test_two_references_to_one_source_or_two_adds_wanting_one_id_in_a_run():
    first = Add(NewCredential("a", "env:OPENROUTER_API_KEY_2", KEY_3, URL), "abcdef")
    second = Add(NewCredential("b", "env:OPENROUTER_API_KEY_2", KEY_4, URL), "abcdef")
    result = apply_changes(pool3(), [], (first, second))
    assert result.skipped == [(second, "env:OPENROUTER_API_KEY_2 is already in the pool as 'a'")]
    both = apply_changes(pool3(), [], (Add(NewCredential("a", "manual", KEY_3, URL), "abcdef"),
                                       Add(NewCredential("b", "manual", KEY_4, URL), "abcdef")))
    ids = [e["id"] for e in both.added]
    assert ids[0] == "abcdef" and ids[1] != "abcdef"


def test_an_entry_without_a_label_leaves_every_label_free():
    bare = {"id": "aaa111", "priority": 0, "access_token": KEY_1}
    result = apply_changes([bare], [], (Add(NewCredential("None", "manual", KEY_3, URL)),
                                        Add(NewCredential("XXXX", "manual", KEY_4, URL))))
    assert [e["label"] for e in result.added] == ["None", "XXXX"]


def test_at_the_prompt_an_entry_without_a_label_leaves_every_label_free(home):
    data = json.loads((home / "auth.json").read_text())
    del data["credential_pool"]["openrouter"][0]["label"]
    (home / "auth.json").write_text(json.dumps(data))
    _, _, prompter = run_step(home, ["add", KEY_3, "None", KEY_4, "XXXX", "", "finish", True])
    assert prompter.refusals == []
    added = entries(home)[-2:]
    assert [e["label"] for e in added] == ["None", "XXXX"]
    assert all(e["base_url"] == URL and e["source"] == "manual" for e in added)


def test_a_new_key_never_gets_the_id_of_an_entry_already_in_the_pool(home, monkeypatch):
    team_id = entries(home)[0]["id"]
    draws = iter([bytes.fromhex(team_id), b"\xbb\xbb\xbb", b"\xcc\xcc\xcc", b"\xdd\xdd\xdd", b"\xee\xee\xee"])
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: next(draws) if n == 3 else real(n))
    _, text, prompter = run_step(home, ["add", KEY_3, "fast", "", "move", "3", "1", "finish", True])
    assert prompter.refusals == [] and "skipped" not in text
    assert [e["label"] for e in entries(home)] == ["fast", "team", "night"]


def test_removing_a_manual_entry_with_a_named_source_suppresses_nothing():
    before = [{**manual("old", KEY_1, "aaa111", 0), "source": "manual:imported"}, manual("team", KEY_2, "bbb222", 1)]
    result = apply_changes(before, [], (Remove(target(before, "old")),))
    assert result.suppressed == [] and labels_of(result.entries) == [("team", 0)]


def test_the_prefix_note_names_every_usual_prefix():
    from types import SimpleNamespace

    from hermes_setup_pools.pool.plan import key_prefix_note

    state = SimpleNamespace(pool_key="acme", target=SimpleNamespace(provider=SimpleNamespace(key_prefixes=("ak-", "bk-"))))
    assert key_prefix_note(state, "zz-123456789") == "acme keys usually start with ak- or bk-; this one does not"
    assert key_prefix_note(state, "bk-123456789") is None
    assert key_prefix_note(state, "op://vault/item/field") is None


@pytest.mark.parametrize(("key", "words"), [
    ("sk-ant-api03-" + "Ab3" * 20, "this one looks like a key for anthropic (sk-ant-)"),
    ("AIza" + "Ab3" * 12, "this one looks like a key for gemini (AIza)"),
    ("sk-proj-" + "Ab3" * 20, "this one does not"),  # sk- is shared by several providers: no guess
    ("zz" + "Ab3" * 12, "this one does not"),
])
def test_a_key_with_another_providers_prefix_is_named_as_that_providers(key, words):
    from types import SimpleNamespace

    from hermes_setup_pools.pool.plan import key_prefix_note

    state = SimpleNamespace(pool_key="openrouter", target=SimpleNamespace(provider=SimpleNamespace(key_prefixes=("sk-or-",))))
    assert key_prefix_note(state, key) == f"openrouter keys usually start with sk-or-; {words}"


# -- a second mutation run: what each change frees, and what the summary says ---------------------


def test_keys_added_count_among_the_changes_done():
    before = pool3()
    add = Add(NewCredential("new", "manual", KEY_3, URL))
    rename = Rename(target(before, "team"), "day")
    result = apply_changes(before, [], (add, rename))
    assert result.done == [add, rename] and result.changed
    assert counts(result.done) == ["added 1", "renamed 1"]


def test_a_source_removed_earlier_in_the_run_is_reported_as_removed_not_as_still_there():
    before = pool3()
    again = Add(NewCredential("again", ENV, KEY_3, URL))
    result = apply_changes(before, [], (Remove(target(before, "OPENROUTER_API_KEY")), again))
    assert result.skipped == [(again, f"{ENV} was removed from this pool; not re-adding it")]


def test_a_label_another_entry_still_has_stays_taken_after_a_removal():
    pool = [manual("team", KEY_1, "aaa111", 0), manual("Team", KEY_2, "bbb222", 1)]
    result = apply_changes(pool, [], (Remove(Target.of(pool[0], 1)), Add(NewCredential("team", "manual", KEY_3, URL))))
    assert [e["label"] for e in result.entries] == ["Team", "team-2"]


def test_an_entry_without_a_label_frees_no_label_when_others_are_removed_or_renamed():
    bare = {"id": "aaa000", "priority": 0, "access_token": KEY_1}
    none, xxxx = manual("None", KEY_2, "bbb222", 1), manual("XXXX", KEY_3, "ccc333", 2)
    pool = [bare, none, xxxx]
    result = apply_changes(pool, [], (Remove(Target.of(none, 2)), Remove(Target.of(xxxx, 3)),
                                      Add(NewCredential("None", "manual", KEY_4, URL)),
                                      Add(NewCredential("XXXX", "manual", ENV_SECRET, URL))))
    assert [e["label"] for e in result.added] == ["None", "XXXX"]  # both freed, whatever the bare entry is
    renamed = apply_changes(pool, [], (Rename(Target.of(bare, 1), "day"), Add(NewCredential("XXXX", "manual", KEY_4, URL))))
    assert [e["label"] for e in renamed.added] == ["XXXX-2"]  # renaming the bare entry freed nobody's label


def test_a_key_another_entry_still_holds_stays_in_the_pool_after_a_removal():
    team, twin = manual("team", KEY_1, "aaa111", 0), manual("twin", KEY_1, "bbb222", 1)
    again = Add(NewCredential("again", "manual", KEY_1, URL))
    result = apply_changes([team, twin], [], (Remove(Target.of(team, 1)), again))
    assert result.skipped == [(again, "already in the pool as 'twin'")] and labels_of(result.entries) == [("twin", 0)]


def test_a_replaced_key_is_free_for_another_entry_in_the_same_run():
    before = pool3()
    replace = Replace(target(before, "night"), NewCredential("night", "manual", KEY_3, URL))
    result = apply_changes(before, [], (replace, Add(NewCredential("old night", "manual", KEY_2, URL))))
    assert result.skipped == [] and [(e["label"], e["access_token"]) for e in result.added] == [("old night", KEY_2)]


def test_only_a_manual_entry_holding_its_key_can_move_it_to_env():
    emptied = {**manual("team", KEY_1, "aaa111", 0), "access_token": ""}
    move = ToEnv(Target.of(emptied, 1), NewCredential("team", "env:OPENROUTER_API_KEY_2", KEY_1, URL))
    assert apply_changes([emptied], [], (move,)).skipped == [(move, "'team' no longer holds its key in auth.json")]
    seeded = {**borrowed(0), "access_token": ENV_SECRET}  # Hermes' own copy of a key it read from .env
    move = ToEnv(Target.of(seeded, 1), NewCredential("x", "env:OPENROUTER_API_KEY_2", ENV_SECRET, URL))
    result = apply_changes([seeded], [], (move,))
    assert result.skipped == [(move, "'OPENROUTER_API_KEY' no longer holds its key in auth.json")]
    assert result.entries == [seeded]


def test_counts_say_keys_and_entries_in_the_plural():
    t = Target("aaa111", "team", "manual", fingerprint(KEY_1), 1)
    cred = NewCredential("team", "env:X", KEY_1, URL)
    assert counts([ToEnv(t, cred), ToEnv(t, cred), NewId(t), NewId(t)]) == [
        "moved 2 keys to .env", "gave 2 entries a new id"]


# -- the plan and the index behind the questions ---------------------------------------------------

@pytest.fixture
def newer_hermes(monkeypatch):
    """The installed Hermes (0.19), stated as one that reads numbered keys from .env and op:// references."""
    from hermes_setup_pools.hermes.features import HermesFeatures

    newer = HermesFeatures(installed=True, numbered_env_keys=True, secret_sources=frozenset({"onepassword"}))
    monkeypatch.setattr("hermes_setup_pools.pool.discovery.hermes_features", lambda: newer)
    return newer


def test_a_key_going_to_env_shows_in_the_pool_as_it_will_be_as_a_key_hermes_has(home, newer_hermes):
    _, text, _ = run_step(home, ["add", KEY_3, "env", "", "", "rename", "1", "day", "finish", True])
    table = text.split("The pool will then be:\n", 1)[1]
    row = next(line for line in table.splitlines() if "env:OPENROUTER_API_KEY" in line)
    assert "…3333" in row and " ok " in row and "no key" not in row and "(not stored)" not in row


def test_a_reference_is_labelled_by_default_with_the_variable_that_holds_it(hermes_home, newer_hermes):
    (hermes_home / "config.yaml").write_text(CONFIG + "secrets:\n  onepassword:\n    enabled: true\n")
    _, _, prompter = run_step(hermes_home, ["op://Private/OpenRouter/credential", "", "", True])
    assert ("text", "Label for this key (Enter for OPENROUTER_API_KEY):") in prompter.asked
    assert [e["label"] for e in entries(hermes_home)] == ["OPENROUTER_API_KEY"]


def index_of(home: Path, **replaced):
    """The index the questions use, on the pool as read from ``home``."""
    import io

    from hermes_setup_pools import Context
    from hermes_setup_pools.pool.options import PoolOptions
    from hermes_setup_pools.pool.plan import PoolIndex
    from hermes_setup_pools.pool.step import open_pool

    state = open_pool(Context(home, interactive=False, out=io.StringIO()), PoolOptions())
    return PoolIndex(state._replace(**replaced) if replaced else state)


def test_the_index_gives_copies_of_the_entries_and_keeps_what_is_not_an_entry(home):
    pool = index_of(home)
    shown = pool.entries()
    shown[0]["label"] = "scribbled"
    assert pool.entries()[0]["label"] == "team"
    junk = index_of(home, entries=(*pool.state.entries, "junk"))  # e.g. a root pool a profile borrows
    assert junk.entries()[-1] == "junk"


def test_the_index_applies_each_change_once_however_often_the_pool_is_shown(home, monkeypatch):
    from hermes_setup_pools.pool.apply import EditedPool

    pool = index_of(home)
    pushed = []
    real_push = EditedPool.push
    monkeypatch.setattr(EditedPool, "push", lambda self, change: pushed.append(change) or real_push(self, change))
    first = pool.entries()
    rename = Rename(Target.of(first[0], 1), "day")
    pool.change(rename)
    for _ in range(3):
        assert [e["label"] for e in pool.entries()] == ["day", "night"]
    assert pushed == [rename]
