"""Issue #24.4: 80 columns, the usual terminal — every table and summary at 80
and at 120 columns: nothing wider than the terminal, no table row split over
two lines, no quoted name broken, prose wrapped at word boundaries."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_cli
from helpers import ENV_KEY, KEY_1, KEY_2, assert_no_secret

WIDTHS = [80, 120]
LONG_LABEL = "team-key-for-the-overnight-batch-jobs"


@pytest.fixture
def home(hermes_home, env):
    """A pool with a long label, a cooldown, a numbered source and a found key."""
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n"
                                             "credential_pool_strategies:\n  openrouter: Round-Robin\n")
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    added = run_cli(["pool", "--key-file", "-", "--yes"], env, input=f"{LONG_LABEL} {KEY_1}\nnight {KEY_2}\n")
    assert added.returncode == 0, added.stderr
    data = json.loads((hermes_home / "auth.json").read_text())
    entries = data["credential_pool"]["openrouter"]
    entries[1].update(last_status="exhausted", last_status_at=time.time(), last_error_code=429, request_count=12345)
    entries.append({**entries[2], "id": "abcdef", "label": "OPENROUTER_API_KEY_2", "source": "env:OPENROUTER_API_KEY_2",
                    "priority": 3, "secret_fingerprint": "sha256:0000000000000000"})
    del entries[-1]["access_token"]
    (hermes_home / "auth.json").write_text(json.dumps(data))
    return hermes_home


def at(env, width, *args, input=None):
    result = run_cli(list(args), {**env, "COLUMNS": str(width)}, input=input)
    assert_no_secret(result.stdout + result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def check_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        # only one word longer than any line (a deep path) may stand out, on a line of its own
        assert len(line) <= width or len(line.split()) == 1, f"{len(line)} > {width}: {line!r}"
        # an opening quote (not an apostrophe: no letter before it) with no closing one on its line
        assert not re.search(r"(?<!\w)'[^']*$", line), f"a quoted name is broken: {line!r}"


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\s+#\d+\s", line)]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pool_table_fits_and_every_row_is_one_line(home, env, width):
    text = at(env, width, "pool", "--list")
    check_fits(text, width)
    rows = table_rows(text)
    assert len(rows) == 4  # four entries, four lines: no row split
    ids = [e["id"] for e in json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]]
    assert all(entry_id in text for entry_id in ids)  # ids stay: they name an entry without doubt
    assert "rate-limited (429)" in text
    if width == 120:  # more room: more of the label
        assert LONG_LABEL[:24] in text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_summary_and_the_pool_after_it_fit(home, env, width):
    text = at(env, width, "pool", "--remove", "night", "--rename", LONG_LABEL, "day", "--strategy", "least_used",
              "--dry-run")
    check_fits(text, width)
    after = text[text.index("The pool will then be:"):].split("--- ", 1)[0]
    assert len(table_rows(after)) == 3


@pytest.mark.parametrize("width", WIDTHS)
def test_doctor_lines_wrap_at_word_boundaries(home, env, width):
    text = at(env, width, "doctor")
    check_fits(text, width)
    words = " ".join(text.split())
    assert "strategy 'Round-Robin' is not spelled as Hermes spells it ('round_robin')" in words  # nothing cut mid-word


@pytest.mark.parametrize("width", WIDTHS)
def test_help_texts_fit(env, width):
    for args in (["--help"], ["pool", "--help"], ["doctor", "--help"]):
        check_fits(at(env, width, *args), width)


@pytest.mark.hermes
def test_hermes_setup_pools_help_wraps_its_description(hermes, env, hermes_home):
    assert run_cli(["enable"], env).returncode == 0
    from conftest import run_hermes

    shown = run_hermes(["setup-pools", "--help"], {**env, "COLUMNS": "80"})
    assert shown.returncode == 0
    check_fits(shown.stdout, 80)
    assert "credential-pool step added right after" in " ".join(shown.stdout.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_error_messages_wrap_at_word_boundaries_and_keep_quoted_names_whole(home, env, width):
    wide = {**env, "COLUMNS": str(width)}
    for args in (["pool", "--remove", "nope", "--yes"], ["pool", "--list", "--yes"],
                 ["pool", "--remove", "night", "--strategy", "random"]):
        result = run_cli(args, wide)
        assert result.returncode in (1, 2) and result.stderr.startswith("hermes-setup-pools: "), result.stderr
        assert_no_secret(result.stderr)
        check_fits(result.stderr, width)
        assert re.sub(r"\n  ", " ", result.stderr).count("\n") == 1  # one message, wrapped with a hanging indent


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_quoted_label_in_the_summary_is_never_broken(home, env, width):
    label = "my very long label for the nightly batch jobs"
    text = at(env, width, "pool", "--rename", "night", label, "--yes")
    check_fits(text, width)
    assert f"'{label}'" in text


_WORDS = st.text(alphabet="abcdefgh-.,:;()…", min_size=1, max_size=14)
_NAMES = st.lists(_WORDS, min_size=1, max_size=6).map(lambda words: "'" + " ".join(words) + "'")


@given(st.lists(st.one_of(_WORDS, _NAMES), min_size=1, max_size=40), st.integers(min_value=40, max_value=120))
def test_wrapping_keeps_every_word_and_every_quoted_name_that_fits_whole(pieces, width):
    from hermes_setup_pools.display import wrap

    text = " ".join(pieces)
    lines = wrap(text, width, indent="  ").split("\n")
    assert " ".join(line.strip() for line in lines) == text  # nothing lost, added or split
    assert all(line.startswith("  ") for line in lines[1:])
    for line in lines:
        assert len(line) <= width or line.strip() in pieces  # only a word too long for any line stands out
    for name in pieces:
        if name.startswith("'") and len(name) <= width - 2:
            assert any(name in line for line in lines), name
