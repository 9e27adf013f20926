"""In-process probe of the interactive path (run by bench/peers.py in a fresh
process, with ``setup`` on its command line so the real start-up hook arms).

Hermes' modules are imported as the wizard has them; the wrapper the start-up
hook installed is checked, then the real wrapper code (``make_wrapper``) runs
around a stub picker, called from a function that looks to it like Hermes'
``hermes_cli.setup.setup_model_provider``. The real plugin manager, steps and
HERMES_HOME are used; only the picker and the prompter are stubs. The stub
prompter records the time of its first call, answers "" (Enter: no more keys),
and then times what the real prompter would do next: import questionary and
build the masked prompt (without drawing it). Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import hermes_cli.main
import hermes_cli.setup

import hermes_setup_pools.prompts
from hermes_setup_pools.hermes import wizard_wrapper

marks: dict[str, Any] = {"hooked": wizard_wrapper.installed(hermes_cli.main)}


def picker(*args: Any, **kwargs: Any) -> None:
    marks["picker_called"] = time.perf_counter()
    marks["picker_returned"] = time.perf_counter()  # the stub returns at once


class StubPrompter:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def password(self, message: str, validate: Any = None) -> str:
        if "first_prompt" not in marks:
            marks["first_prompt"] = time.perf_counter()
            marks["preloaded"] = "prompt_toolkit" in sys.modules
            start = time.perf_counter()
            import questionary
            from prompt_toolkit.input import create_pipe_input
            from prompt_toolkit.output import DummyOutput

            with create_pipe_input() as pipe:
                questionary.password(message, input=pipe, output=DummyOutput())
            marks["questionary"] = time.perf_counter() - start
        return ""

    def text(self, message: str, default: str = "", validate: Any = None) -> str:
        return default

    def select(self, message: str, choices: Any, default: str) -> str:
        return default

    def confirm(self, message: str, default: bool) -> bool:
        return False


class Terminal:
    def isatty(self) -> bool:
        return True


hermes_setup_pools.prompts.QuestionaryPrompter = StubPrompter  # type: ignore[misc, assignment]
sys.stdin = Terminal()  # only isatty() is asked
namespace: dict[str, Any] = {"__name__": "hermes_cli.setup"}
exec("def setup_model_provider(select):\n    return select()\n", namespace)
wrapped = wizard_wrapper.make_wrapper(picker)
start = time.perf_counter()
namespace["setup_model_provider"](wrapped)
marks["before_picker"] = marks["picker_called"] - start
marks["to_first_prompt"] = marks["first_prompt"] - marks["picker_returned"]
print(json.dumps({k: v for k, v in marks.items() if k not in {"picker_called", "picker_returned", "first_prompt"}}))
