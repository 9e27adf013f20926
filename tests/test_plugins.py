"""The plugin manager: built-in plugins, collecting steps and ordering them."""

from __future__ import annotations

import pytest

from hermes_setup_pools import ANCHOR_STEP_ID, Step, StepError
from hermes_setup_pools.manager import (
    DEFAULT_PLUGINS,
    RegisteredStep,
    build_plugin_manager,
    collect_steps,
    order_steps,
    ordered_steps,
)
from hermes_setup_pools.pool.hook import POOL_STEP_ID

from helpers import make_plugin, plugin_module


def noop(ctx):
    return None


def reg(step_id, after=(), before=(), plugin="p"):
    return RegisteredStep(Step(step_id, step_id.title(), noop, after=after, before=before), plugin)


def ids(steps):
    return [s.id for s in steps]


# -- ordering --------------------------------------------------------------


def test_after_puts_a_step_after_its_dependency():
    assert ids(order_steps([reg("b", after=("a",)), reg("a")])) == ["a", "b"]


def test_before_puts_a_step_before_the_named_one():
    assert ids(order_steps([reg("a"), reg("z", before=("a",))])) == ["z", "a"]


def test_ties_are_broken_by_id_whatever_the_registration_order():
    forward = order_steps([reg("c"), reg("a"), reg("b")])
    backward = order_steps([reg("b"), reg("a"), reg("c")])
    assert ids(forward) == ids(backward) == ["a", "b", "c"]


def test_ties_by_id_within_constraints():
    steps = [reg("anchor"), reg("zeta", after=("anchor",)), reg("alpha", after=("anchor",)), reg("mid", after=("alpha",))]
    # The smallest id that is ready goes next: anchor, alpha, then mid
    # (ready once alpha ran, and "mid" < "zeta"), then zeta.
    assert ids(order_steps(steps)) == ["anchor", "alpha", "mid", "zeta"]


def test_cycle_is_an_error_naming_the_steps():
    with pytest.raises(StepError) as err:
        order_steps([reg("a", after=("b",)), reg("b", after=("c",)), reg("c", after=("a",)), reg("d")])
    message = str(err.value)
    assert "cycle" in message
    cycle = message.split(": ", 1)[1].split(" -> ")
    assert set(cycle) == {"a", "b", "c"}


def test_self_reference_is_a_cycle():
    with pytest.raises(StepError, match="cycle"):
        order_steps([reg("a", before=("a",))])


def test_unknown_id_in_after_is_an_error_naming_it_with_a_suggestion():
    with pytest.raises(StepError) as err:
        order_steps([reg("credential_pool"), reg("x", after=("credential_pol",))])
    assert "'credential_pol'" in str(err.value)
    assert "did you mean 'credential_pool'" in str(err.value)


def test_unknown_id_in_before_is_an_error():
    with pytest.raises(StepError, match="'nope'"):
        order_steps([reg("x", before=("nope",))])


def test_step_accepts_a_bare_string_for_after():
    assert Step("x", "X", noop, after="a").after == ("a",)


@pytest.mark.parametrize("bad_id", ["", " spaced", "has space", 3])
def test_step_rejects_bad_ids(bad_id):
    with pytest.raises(StepError):
        Step(bad_id, "t", noop)


def test_step_rejects_non_callable_run_and_empty_title():
    with pytest.raises(StepError, match="callable"):
        Step("x", "X", "not callable")
    with pytest.raises(StepError, match="title"):
        Step("x", "  ", noop)


# -- plugins ---------------------------------------------------------------


@pytest.fixture
def pm():
    return build_plugin_manager(autoload=False)


def test_builtin_steps_are_ordinary_plugins_listed_by_dotted_name(pm):
    impls = pm.hook.hermes_setup_register_steps.get_hookimpls()
    assert [impl.plugin.__name__ for impl in impls] == list(DEFAULT_PLUGINS)
    assert {s.id for s in collect_steps(pm)} == {ANCHOR_STEP_ID, POOL_STEP_ID}


def test_anchor_comes_before_the_pool_step(pm):
    assert ids(order_steps(collect_steps(pm))) == [ANCHOR_STEP_ID, POOL_STEP_ID]


def test_a_plugin_step_after_the_pool_is_ordered_last_and_names_its_plugin(pm):
    pm.register(make_plugin(Step("after_pools", "After pools", noop, after=(POOL_STEP_ID,))), name="fixture-plugin")
    steps = ordered_steps(pm)
    assert ids(steps) == [ANCHOR_STEP_ID, POOL_STEP_ID, "after_pools"]
    assert steps[-1].plugin == "fixture-plugin"


def test_duplicate_ids_name_both_plugins(pm):
    pm.register(make_plugin(Step("dup", "One", noop), name="one"), name="first-plugin")
    pm.register(make_plugin(Step("dup", "Two", noop), name="two"), name="second-plugin")
    with pytest.raises(StepError) as err:
        collect_steps(pm)
    assert "'dup'" in str(err.value)
    assert "first-plugin" in str(err.value) and "second-plugin" in str(err.value)


def test_duplicate_of_a_builtin_id_names_the_builtin(pm):
    pm.register(make_plugin(Step(POOL_STEP_ID, "Mine", noop)), name="copycat")
    with pytest.raises(StepError, match="hermes-setup-pools \\(built-in\\).*copycat"):
        collect_steps(pm)


def test_registering_something_that_is_not_a_step_is_refused(pm):
    def hermes_setup_register_steps(register):
        register({"id": "dict"})

    pm.register(plugin_module(hermes_setup_register_steps), name="dict-plugin")
    with pytest.raises(StepError, match="dict-plugin.*not a hermes_setup_pools.Step"):
        collect_steps(pm)


def test_a_plugin_that_raises_while_registering_is_named(pm):
    def hermes_setup_register_steps(register):
        raise RuntimeError("kaput")

    pm.register(plugin_module(hermes_setup_register_steps), name="boom-plugin")
    with pytest.raises(StepError, match="boom-plugin.*RuntimeError: kaput"):
        collect_steps(pm)


def test_unknown_after_from_a_plugin_names_the_plugin(pm):
    pm.register(make_plugin(Step("x", "X", noop, after=("nope",))), name="lost-plugin")
    with pytest.raises(StepError, match="'x' \\(from 'lost-plugin'\\) has after='nope'"):
        ordered_steps(pm)


def test_disable_env_blocks_entry_point_plugins(monkeypatch, mocker):
    # Unit-level check of the blocking rule; the real entry-point loading is
    # proven with an installed distribution in test_entry_points.py.
    ep = mocker.Mock()
    ep.name = "blocked-one"
    monkeypatch.setenv("HERMES_SETUP_DISABLE_PLUGINS", " other , blocked-one")
    mocker.patch("importlib.metadata.entry_points", return_value=[ep])
    build_plugin_manager(autoload=True)
    ep.load.assert_not_called()


def test_autoload_off_loads_no_entry_points(monkeypatch, mocker):
    monkeypatch.setenv("HERMES_SETUP_PLUGINS_AUTOLOAD", "0")
    scan = mocker.patch("importlib.metadata.entry_points", return_value=[])
    build_plugin_manager()
    scan.assert_not_called()
