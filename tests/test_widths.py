"""Issue #24.4: 80 columns, the usual terminal — every table and summary at 80
and at 120 columns: nothing wider than the terminal, no table row split over
two lines, no quoted name broken, prose wrapped at word boundaries."""

from __future__ import annotations

import json
import re
import time

import pytest

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
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
        assert not re.search(r"(^|\s)'[^'\s]+$", line), f"a quoted name is broken: {line!r}"


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
