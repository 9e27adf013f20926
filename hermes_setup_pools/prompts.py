"""Asking questions: the only module that imports questionary, plus its scripted twin.

Steps talk to a small :class:`Prompter` interface, so the same step code runs
against a real terminal (:class:`QuestionaryPrompter`) and against a list of
answers in tests (:class:`ScriptedPrompter`). Ctrl-C and Ctrl-D become
:class:`~hermes_setup_pools.errors.Cancelled` here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .display import named
from .errors import Cancelled, GoBack, LeaveSetup, Terminated
from .keys.detect import looks_like_secret

#: Checks an answer; returns the reason it is refused, or ``None`` to accept it.
Validator = Callable[[str], "str | None"]
#: A menu choice: (value, title) or (value, title, description).
Choice = tuple[str, ...]


class Prompter(Protocol):
    """What a step may ask. Every method raises ``Cancelled`` on Ctrl-C / Ctrl-D."""

    def password(self, message: str, validate: Validator | None = None) -> str:
        """Masked input (the answer is never echoed)."""
        ...

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        """One line of text, ``default`` prefilled."""
        ...

    def select(self, message: str, choices: Sequence[Choice], default: str) -> str:
        """One of ``choices`` (value, title[, description]); ``default`` is
        highlighted first. A description is shown while its choice is
        highlighted, so the title (what stays on screen once answered) is short."""
        ...

    def confirm(self, message: str, default: bool) -> bool:
        """Yes or no."""
        ...


#: Control keys that edit the line in prompt_toolkit (Ctrl-A jumps to the start,
#: Ctrl-W deletes a word, …). In a pasted key they would silently mangle it, so
#: at the masked key prompt they are typed as themselves and the key check
#: refuses them. Ctrl-C, Ctrl-D, Enter, Backspace and Ctrl-U keep their meaning.
_LITERAL_CONTROL_KEYS = {
    "c-@": "\x00", "c-a": "\x01", "c-b": "\x02", "c-e": "\x05", "c-f": "\x06", "c-g": "\x07",
    "c-i": "\t", "c-k": "\x0b", "c-l": "\x0c", "c-n": "\x0e", "c-o": "\x0f", "c-p": "\x10",
    "c-q": "\x11", "c-r": "\x12", "c-s": "\x13", "c-t": "\x14", "c-v": "\x16", "c-w": "\x17",
    "c-x": "\x18", "c-y": "\x19", "c-z": "\x1a", "c-\\": "\x1c", "c-]": "\x1d", "c-^": "\x1e",
    "c-_": "\x1f",
}


_ASKING: list[Any] = [None]  # the prompt_toolkit application of the question on screen


def asking() -> bool:
    """Whether a question is on screen now (a signal may then cancel it: the
    prompt library restores the terminal on its way out)."""
    return _ASKING[0] is not None


def end_question(exc: BaseException) -> bool:
    """From a signal handler: make the question on screen end by raising
    ``exc`` from its ``ask``; False when none is running yet (raise it then).

    The end goes through the question's event loop rather than being raised in
    the handler: an exception a handler raises while Python runs a weakref
    callback or a ``__del__`` is printed as "Exception ignored" and dropped,
    and the question would wait on."""
    app = _ASKING[0]
    loop = getattr(app, "loop", None)
    if app is None or loop is None or loop.is_closed():
        return False

    def end() -> None:
        if app.future is not None and not app.future.done():
            app.exit(exception=exc)

    loop.call_soon_threadsafe(end)
    return True


class QuestionaryPrompter:
    """Asks in the terminal with questionary (prompt_toolkit underneath).

    Every question: Ctrl-C and Ctrl-D cancel (:class:`Cancelled`, 130), SIGTERM
    and SIGHUP cancel with 143 and 129 once the CLI has turned them into
    :class:`~hermes_setup_pools.errors.Terminated`; prompt_toolkit restores the
    terminal on the way out. Text shown in a question is made terminal-safe.
    """

    def __init__(self, *, navigation: bool = False, in_wizard: bool = False, **prompt_kwargs: Any) -> None:
        # navigation: inside a Hermes wizard that has Esc and ← (0.22+), they
        # keep Hermes' meaning here: Esc leaves the setup (LeaveSetup), ← goes
        # back one question (GoBack) in menus and at an empty text prompt.
        # prompt_kwargs (input=, output=) let tests drive real key presses.
        # in_wizard: inside `hermes setup`, where Ctrl-C skips the step (not the command).
        self.navigation = navigation
        self.in_wizard = in_wizard or navigation
        self._kwargs = prompt_kwargs

    def hint(self) -> str:
        """The keys a menu takes, shown beside it (short: it shares the question's line)."""
        return "(↑/↓ then Enter)"

    def keys_hint(self) -> str:
        """The keys that work in this step, said once before its first question
        (inside `hermes setup`; the standalone command needs no such line)."""
        if self.navigation:
            return "Keys: Enter answers · ← previous question · Esc leaves the setup · Ctrl-C skips this step"
        if self.in_wizard:
            return "Keys: Enter answers · Ctrl-C skips this step"
        return ""

    @staticmethod
    def _validator(validate: Validator | None) -> Callable[[str], str | bool] | None:
        if validate is None:
            return None
        return lambda answer: named(validate(answer) or "") or True

    def _ask(self, question: Any, literal_controls: bool = False) -> Any:
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

        extra = KeyBindings()

        @extra.add("c-d", eager=True)
        def _eof(event: Any) -> None:
            event.app.exit(exception=EOFError())

        if literal_controls:
            for key, char in _LITERAL_CONTROL_KEYS.items():
                extra.add(key, eager=True)(lambda event, char=char: event.current_buffer.insert_text(char))
        if self.navigation:
            from prompt_toolkit.filters import Condition

            @extra.add("escape")
            def _leave(event: Any) -> None:
                event.app.exit(exception=LeaveSetup())

            # ← means "previous question" where it moves no cursor: in menus, and at an empty line.
            nothing_typed = Condition(lambda: not getattr(question.application.current_buffer, "text", ""))

            @extra.add("left", filter=nothing_typed)
            def _back(event: Any) -> None:
                event.app.exit(exception=GoBack())
        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings, extra]) if app.key_bindings else extra
        _ASKING[0] = app
        try:
            return question.unsafe_ask()
        except (GoBack, LeaveSetup):
            raise
        except (KeyboardInterrupt, EOFError) as exc:
            raise Cancelled(128 + exc.signum if isinstance(exc, Terminated) else 130) from None
        finally:
            _ASKING[0] = None

    def password(self, message: str, validate: Validator | None = None) -> str:
        import questionary

        question = questionary.password(named(message), validate=self._validator(validate), **self._kwargs)
        return str(self._ask(question, literal_controls=True))

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        import questionary
        from prompt_toolkit.application import get_app
        from prompt_toolkit.filters import Condition

        # A key pasted into the wrong prompt is masked as it is typed, not echoed.
        looks_like_a_key = Condition(lambda: looks_like_secret(get_app().current_buffer.text))
        question = questionary.text(named(message), default=default, validate=self._validator(validate),
                                    is_password=looks_like_a_key, **self._kwargs)
        return str(self._ask(question))

    def select(self, message: str, choices: Sequence[Choice], default: str) -> str:
        import questionary

        options = [questionary.Choice(title=named(choice[1]), value=choice[0],
                                      description=_described(named(choice[2])) if len(choice) > 2 else None)
                   for choice in choices]
        question = questionary.select(
            named(message),
            choices=options,
            default=next(o for o in options if o.value == default),
            instruction=self.hint(),
            **self._kwargs,
        )
        return str(self._ask(question))

    def confirm(self, message: str, default: bool) -> bool:
        import questionary

        # auto_enter=False: y or n waits for Enter, and the Enter is consumed here;
        # with questionary's default a habitual "n⏎" left the ⏎ for the next prompt.
        question = questionary.confirm(named(message), default=default, auto_enter=False, **self._kwargs)
        return bool(self._ask(question))


#: An answer that makes :class:`ScriptedPrompter` behave as if Ctrl-C was pressed.
CANCEL = object()
#: Answers that press ← (previous question) and Esc (leave the setup).
BACK = object()
LEAVE = object()
#: An answer that takes the question's default (Enter on a prefilled prompt).
DEFAULT = object()


class ScriptedPrompter:
    """Answers questions from a list, in order, applying the same validators a
    terminal would: a refused answer is recorded in ``refusals`` and the next
    answer is used, like a user retyping. ``asked`` records every question.
    An answer that is callable is called when its question comes (its return
    value is the answer), so a test can act in the middle of a run."""

    def __init__(self, answers: Sequence[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str]] = []
        self.refusals: list[str] = []
        self.defaults: dict[str, Any] = {}

    def _next(self, kind: str, message: str) -> Any:
        self.asked.append((kind, message))
        if not self.answers:
            raise AssertionError(f"no scripted answer left for {kind} {message!r}")
        answer = self.answers.pop(0)
        if answer is CANCEL:
            raise Cancelled()
        if answer is BACK:
            raise GoBack()
        if answer is LEAVE:
            raise LeaveSetup()
        return answer() if callable(answer) else answer

    def _validated(self, kind: str, message: str, validate: Validator | None, default: str = "") -> str:
        while True:
            answer = self._next(kind, message)
            if answer is DEFAULT:
                answer = default
            reason = validate(answer) if validate else None
            if not reason:
                return str(answer)
            self.refusals.append(reason)

    def password(self, message: str, validate: Validator | None = None) -> str:
        return self._validated("password", message, validate)

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        return self._validated("text", message, validate, default)

    def select(self, message: str, choices: Sequence[Choice], default: str) -> str:
        self.defaults[message] = default
        answer = self._next("select", message)
        answer = default if answer is DEFAULT else answer
        if answer not in {choice[0] for choice in choices}:
            raise AssertionError(f"{answer!r} is not a choice of {message!r}")
        return answer

    def confirm(self, message: str, default: bool) -> bool:
        self.defaults[message] = default
        answer = self._next("confirm", message)
        return default if answer is DEFAULT else bool(answer)


def _described(text: str) -> str:
    """A choice's description wrapped to the terminal: questionary draws it on
    one line after "  Description: ", and prompt_toolkit cuts what is wider."""
    from .display import terminal_width, wrap

    prefix = "  Description: "
    width = terminal_width()
    return wrap(prefix + text, width - 1 if width else None, indent=" " * len(prefix))[len(prefix):]
