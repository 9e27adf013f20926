"""Going back one question inside the step, the way Hermes' wizard does it.

The step's questions depend on earlier answers (a key, then its label; the
strategy only for two keys or more), so going back is done by running the
questions again from the start, answering the ones before the question to
return to with what the user said, silently, and asking that one again
(Hermes' wizard replays its menus the same way). Messages the replayed part
prints are not printed a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ...errors import Cancelled
from ...prompts import Choice, Prompter, Validator

#: A recorded Ctrl-C (inside an action of the pool menu, which returns to the menu).
_CANCELLED = object()


class Replay:
    """The answers given so far in one run of the step."""

    def __init__(self, prompter: Prompter) -> None:
        self.prompter = prompter
        self.answers: list[Any] = []
        self.keep = 0  # how many recorded answers the next round gives without asking
        self.undone: Any = None  # the answer taken back: the menu it came from starts on it again

    def round(self) -> ReplayPrompter:
        """A prompter for one pass through the questions."""
        return ReplayPrompter(self)

    def back(self) -> bool:
        """Forget the last answer, so the next round asks that question again;
        False when there is none (← at the step's first question)."""
        if not self.answers:
            return False
        self.undone = self.answers.pop()
        while self.undone is _CANCELLED and self.answers:
            # an action left with Ctrl-C is not a question to go back to: back
            # to the choice that opened it
            self.undone = self.answers.pop()
        self.keep = len(self.answers)
        return True


class ReplayPrompter:
    """Gives the recorded answers first (without asking), then asks and records."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        self.index = 0
        self.live = replay.keep == 0  # a question has been asked for real in this round

    @property
    def replaying(self) -> bool:
        """Whether this round is still going over what was already answered
        (everything up to the first question asked for real)."""
        return not self.live

    def echo(self, echo: Callable[[str], None]) -> Callable[[str], None]:
        """``echo`` that stays quiet while earlier answers are replayed."""

        def quiet_while_replaying(text: str = "") -> None:
            if not self.replaying:
                echo(text)

        return quiet_while_replaying

    def keys_hint(self) -> str:
        """The inner prompter's line about the keys that work (``""`` without one)."""
        inner = getattr(self.replay.prompter, "keys_hint", None)
        return str(inner()) if callable(inner) else ""

    def _answer(self, ask: Callable[[], Any]) -> Any:
        if self.index < self.replay.keep:
            answer = self.replay.answers[self.index]
            self.index += 1
            if answer is _CANCELLED:
                raise Cancelled()  # Ctrl-C was pressed here: the run went on from there (back to a menu)
            return answer
        self.live = True
        try:
            answer = ask()
        except Cancelled:
            self.replay.answers.append(_CANCELLED)  # replayed as it happened
            self.index += 1
            raise
        self.replay.answers.append(answer)
        self.index += 1
        return answer

    def _default(self, usual: Any, allowed: Any = None) -> Any:
        """The default of the question asked again after ←: the answer taken back
        (for a menu or a yes/no question), else the question's own."""
        undone = self.replay.undone
        if self.index != self.replay.keep or undone is None or undone is _CANCELLED:
            return usual
        return undone if allowed is None or undone in allowed else usual

    def password(self, message: str, validate: Validator | None = None) -> str:
        return str(self._answer(lambda: self.replay.prompter.password(message, validate)))

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        return str(self._answer(lambda: self.replay.prompter.text(message, default, validate)))

    def select(self, message: str, choices: Sequence[Choice], default: str) -> str:
        start = self._default(default, {choice[0] for choice in choices})
        return str(self._answer(lambda: self.replay.prompter.select(message, choices, start)))

    def confirm(self, message: str, default: bool) -> bool:
        start = self._default(default, (True, False))
        return bool(self._answer(lambda: self.replay.prompter.confirm(message, start)))
