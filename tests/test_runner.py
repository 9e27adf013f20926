"""The one step runner, with both error policies."""

from __future__ import annotations

import io

import pytest

from hermes_setup_pools import Cancelled, Context, SetupError, Step
from hermes_setup_pools.manager import RegisteredStep, order_steps
from hermes_setup_pools.runner import run_steps


def registered(step_id, run, after=()):
    return RegisteredStep(Step(step_id, step_id.upper(), run, after=after), "p")


def recorder(seen, name, raises=None):
    def run(ctx):
        seen.append(name)
        if raises is not None:
            raise raises
        return name.upper()

    return run


def test_steps_run_in_order_and_results_are_recorded(tmp_path):
    seen = []
    steps = order_steps([registered("b", recorder(seen, "b"), after=("a",)), registered("a", recorder(seen, "a"))])
    ctx = run_steps(steps, Context(tmp_path))
    assert seen == ["a", "b"]
    assert ctx.results == {"a": "A", "b": "B"}


def test_raise_policy_stops_at_the_first_failure(tmp_path):
    seen = []
    steps = [registered("a", recorder(seen, "a", SetupError("bad"))), registered("b", recorder(seen, "b"))]
    with pytest.raises(SetupError, match="bad"):
        run_steps(steps, Context(tmp_path), on_error="raise")
    assert seen == ["a"]


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (Cancelled(), "A: cancelled"),
        (KeyboardInterrupt(), "A: cancelled"),
        (SetupError("no luck with sk-or-v1-" + "9" * 40), "hermes-setup-pools: a: no luck with …9999"),
        (ValueError("oops"), "step 'a' failed: ValueError: oops"),
    ],
)
def test_report_policy_reports_one_line_and_runs_the_next_step(tmp_path, error, said):
    seen, lines = [], []
    steps = [registered("a", recorder(seen, "a", error)), registered("b", recorder(seen, "b"))]
    ctx = run_steps(steps, Context(tmp_path, out=io.StringIO()), on_error="report", say=lines.append)
    assert seen == ["a", "b"]
    assert len(lines) == 1 and said in lines[0]
    assert "a" not in ctx.results and ctx.results["b"] == "B"


class GoBack(BaseException):
    """Like upstream Hermes' _SetupGoBack: navigation signalled by a BaseException."""


@pytest.mark.parametrize("error", [GoBack(), SystemExit(3)])
def test_base_exceptions_pass_through_untouched_in_both_policies(tmp_path, error):
    for policy in ("raise", "report"):
        seen = []
        steps = [registered("a", recorder(seen, "a", error)), registered("b", recorder(seen, "b"))]
        with pytest.raises(type(error)):
            run_steps(steps, Context(tmp_path), on_error=policy, say=lambda line: None)
        assert seen == ["a"]
