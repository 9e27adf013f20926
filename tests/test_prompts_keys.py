"""The questionary wiring, driven by real prompt_toolkit key presses (pipe input)."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from hermes_setup_pools import Cancelled, Context
from hermes_setup_pools.pool.hook import run as run_pool_step
from hermes_setup_pools.prompts import QuestionaryPrompter
from hermes_setup_pools.store.auth import load_auth

from helpers import CTRL_C, CTRL_D, DOWN, ENTER, KEY_1, KEY_2, UP

CTRL_U = "\x15"


@pytest.fixture
def keys():
    """Yield a function that queues key presses for the prompts that follow."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe.send_text


def test_password_returns_what_was_typed(keys):
    keys(KEY_1 + ENTER)
    assert QuestionaryPrompter().password("Key:") == KEY_1


def test_password_validation_refuses_then_accepts(keys):
    seen = []

    def validate(answer):
        seen.append(answer)
        return "that is a placeholder, not a real key" if answer == "none" else None

    keys("none" + ENTER + CTRL_U + KEY_1 + ENTER)
    assert QuestionaryPrompter().password("Key:", validate=validate) == KEY_1
    assert "none" in seen


def test_select_moves_with_arrow_keys_from_the_default(keys):
    choices = [("fill_first", "fill_first"), ("round_robin", "round_robin"), ("least_used", "least_used"), ("random", "random")]
    keys(DOWN + ENTER)
    assert QuestionaryPrompter().select("Strategy?", choices, default="round_robin") == "least_used"
    keys(ENTER)
    assert QuestionaryPrompter().select("Strategy?", choices, default="random") == "random"
    keys(UP + UP + ENTER)
    assert QuestionaryPrompter().select("Strategy?", choices, default="least_used") == "fill_first"


def test_text_keeps_its_default_on_enter(keys):
    keys(ENTER)
    assert QuestionaryPrompter().text("Label:", default="api-key-2") == "api-key-2"


def test_confirm_default_and_answer(keys):
    keys(ENTER)
    assert QuestionaryPrompter().confirm("Write?", default=True) is True
    keys("n" + ENTER)
    assert QuestionaryPrompter().confirm("Write?", default=True) is False


def test_a_confirm_consumes_the_enter_typed_after_its_answer(keys):
    """Issue #18.3: "n⏎" answered the question and left the ⏎ for the next
    prompt, which then took its default without being asked."""
    keys("n" + ENTER + "night" + ENTER)
    assert QuestionaryPrompter().confirm("Add it anyway?", default=False) is False
    assert QuestionaryPrompter().text("Label for this key (Enter for api-key-2):") == "night"


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_ctrl_c_and_ctrl_d_cancel(keys, key):
    keys(key)
    with pytest.raises(Cancelled):
        QuestionaryPrompter().password("Key:")


def test_ctrl_c_in_a_select_cancels(keys):
    keys(CTRL_C)
    with pytest.raises(Cancelled):
        QuestionaryPrompter().select("Strategy?", [("a", "a"), ("b", "b")], default="a")


def test_the_whole_step_with_real_key_presses(keys, hermes_home):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    keys(
        KEY_1 + ENTER            # first key
        + "team" + ENTER         # label
        + KEY_2 + ENTER + ENTER  # second key, default label api-key-2
        + ENTER                  # no more keys
        + DOWN + ENTER           # fill_first -> round_robin
        + ENTER                  # confirm (default yes)
    )
    out = io.StringIO()
    run_pool_step(Context(hermes_home, prompter=QuestionaryPrompter(), out=out))
    entries = load_auth(hermes_home)["credential_pool"]["openrouter"]
    assert [(e["label"], e["access_token"]) for e in entries] == [("team", KEY_1), ("api-key-2", KEY_2)]
    assert "round_robin" in (hermes_home / "config.yaml").read_text()
    assert KEY_1 not in out.getvalue() and KEY_2 not in out.getvalue()


def test_a_long_choice_description_wraps_to_the_terminal_instead_of_being_cut(monkeypatch):
    # questionary draws a description on one line and prompt_toolkit cuts what is
    # wider than the terminal: at 80 columns every word must still be on screen.
    import re

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    monkeypatch.setenv("COLUMNS", "80")
    words = ("auth.json: Hermes' credential store, the key in plain text in a file only you can read; "
             "every Hermes reads it, and the doctor can move it to .env later")
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        pipe.send_text(ENTER)
        answer = QuestionaryPrompter().select("Where?", [("auth", "auth.json", words), ("env", ".env")], default="auth")
    assert answer == "auth"
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\r\n]", " ", screen.getvalue())
    assert re.sub(r"\s+", " ", words) in re.sub(r"\s+", " ", drawn)
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue()).replace("\r", "").split("\n")
    assert max(len(line) for line in lines) <= 80


def test_a_key_inside_a_question_or_its_choices_is_drawn_masked():
    # A custom provider named with a pasted key makes a pool key that holds it; prompts name the pool.
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    drawn = io.StringIO()
    screen = Vt100_Output(drawn, lambda: Size(rows=30, columns=120), term="xterm")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=screen):
        pipe.send_text(ENTER)
        assert QuestionaryPrompter().text(f"Label for custom:{KEY_2}:", default="x") == "x"
        pipe.send_text(ENTER)
        assert QuestionaryPrompter().select(f"Strategy for {KEY_2}?", [("a", f"keep {KEY_2}", f"about {KEY_2}")],
                                            default="a") == "a"
    assert KEY_2 not in drawn.getvalue() and f"…{KEY_2[-4:]}" in drawn.getvalue()
