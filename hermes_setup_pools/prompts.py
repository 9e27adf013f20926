"""Asking questions: the only module that imports questionary, plus its scripted twin.

Steps talk to a small :class:`Prompter` interface, so the same step code runs
against a real terminal (:class:`QuestionaryPrompter`) and against a list of
answers in tests (:class:`ScriptedPrompter`). Ctrl-C and Ctrl-D become
:class:`~hermes_setup_pools.errors.Cancelled` here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .errors import Cancelled

#: Checks an answer; returns the reason it is refused, or ``None`` to accept it.
Validator = Callable[[str], "str | None"]


class Prompter(Protocol):
    """What a step may ask. Every method raises ``Cancelled`` on Ctrl-C / Ctrl-D."""

    def password(self, message: str, validate: Validator | None = None) -> str:
        """Masked input (the answer is never echoed)."""
        ...

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        """One line of text, ``default`` prefilled."""
        ...

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        """One of ``choices`` (value, title); ``default`` is highlighted first."""
        ...

    def confirm(self, message: str, default: bool) -> bool:
        """Yes or no."""
        ...


class QuestionaryPrompter:
    """Asks in the terminal with questionary (prompt_toolkit underneath)."""

    def __init__(self, **prompt_kwargs: Any) -> None:
        # prompt_kwargs (input=, output=) let tests drive real key presses.
        self._kwargs = prompt_kwargs

    @staticmethod
    def _validator(validate: Validator | None) -> Callable[[str], str | bool] | None:
        if validate is None:
            return None
        return lambda answer: validate(answer) or True

    def _ask(self, question: Any) -> Any:
        try:
            return question.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Cancelled() from None

    def password(self, message: str, validate: Validator | None = None) -> str:
        import questionary

        return str(self._ask(questionary.password(message, validate=self._validator(validate), **self._kwargs)))

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        import questionary

        return str(self._ask(
            questionary.text(message, default=default, validate=self._validator(validate), **self._kwargs)
        ))

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        import questionary

        options = [questionary.Choice(title=title, value=value) for value, title in choices]
        return str(self._ask(
            questionary.select(
                message,
                choices=options,
                default=next(o for o in options if o.value == default),
                instruction="(↑/↓ then Enter)",
                **self._kwargs,
            )
        ))

    def confirm(self, message: str, default: bool) -> bool:
        import questionary

        return bool(self._ask(questionary.confirm(message, default=default, **self._kwargs)))


#: An answer that makes :class:`ScriptedPrompter` behave as if Ctrl-C was pressed.
CANCEL = object()
#: An answer that takes the question's default (Enter on a prefilled prompt).
DEFAULT = object()


class ScriptedPrompter:
    """Answers questions from a list, in order, applying the same validators a
    terminal would: a refused answer is recorded in ``refusals`` and the next
    answer is used, like a user retyping. ``asked`` records every question."""

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
        return answer

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

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        self.defaults[message] = default
        answer = self._next("select", message)
        answer = default if answer is DEFAULT else answer
        if answer not in {value for value, _ in choices}:
            raise AssertionError(f"{answer!r} is not a choice of {message!r}")
        return answer

    def confirm(self, message: str, default: bool) -> bool:
        self.defaults[message] = default
        answer = self._next("confirm", message)
        return default if answer is DEFAULT else bool(answer)
