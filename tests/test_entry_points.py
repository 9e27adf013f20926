"""Third-party plugins found through the ``hermes_setup`` entry-point group, in a
real process: a throwaway distribution installed with pip, and hand-made
dist-info directories on PYTHONPATH for the failure cases."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import run_cli
from helpers import make_dist, pip_install_source

STEP_PLUGIN = """
from hermes_setup_pools import Step, hookimpl

def run(context):
    print("after_pools ran in", context.hermes_home)

@hookimpl
def hermes_setup_register_steps(register):
    register(Step(id="after_pools", title="After pools", run=run, after={after!r}))
"""


def steps_lines(result) -> list[list[str]]:
    return [line.split(None, 1) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def pip_installed_plugin(tmp_path_factory) -> Path:
    """A real distribution built and installed by pip into a target directory."""
    pyproject = textwrap.dedent("""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "after-pools-demo"
        version = "0.1.0"

        [project.entry-points.hermes_setup]
        after-pools = "after_pools_demo"

        [tool.hatch.build.targets.wheel]
        include = ["after_pools_demo.py"]
    """)
    files = {"after_pools_demo.py": textwrap.dedent(STEP_PLUGIN.format(after=("credential_pool",))),
             "pyproject.toml": pyproject}
    return pip_install_source(files, tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("src"))


def test_pip_installed_plugin_step_is_listed_after_credential_pool(pip_installed_plugin, env):
    env["PYTHONPATH"] = str(pip_installed_plugin)
    result = run_cli(["steps", "--hermes-home", env["HERMES_HOME"]], env)
    assert result.returncode == 0, result.stderr
    lines = steps_lines(result)
    assert [line[0] for line in lines] == ["select_provider_and_model", "credential_pool", "after_pools"]
    assert lines[2][1] == "after-pools (from after-pools-demo 0.1.0)"


def test_disable_env_blocks_the_plugin_by_entry_point_name(pip_installed_plugin, env):
    env.update(PYTHONPATH=str(pip_installed_plugin), HERMES_SETUP_DISABLE_PLUGINS="after-pools")
    result = run_cli(["steps"], env)
    assert result.returncode == 0, result.stderr
    assert [line[0] for line in steps_lines(result)] == ["select_provider_and_model", "credential_pool"]


def test_autoload_off_loads_no_plugin(pip_installed_plugin, env):
    env.update(PYTHONPATH=str(pip_installed_plugin), HERMES_SETUP_PLUGINS_AUTOLOAD="0")
    result = run_cli(["steps"], env)
    assert [line[0] for line in steps_lines(result)] == ["select_provider_and_model", "credential_pool"]


def test_plugin_after_unknown_step_fails_naming_it(tmp_path, env):
    make_dist(tmp_path / "site", "nope_plugin", STEP_PLUGIN.format(after=("nope",)))
    env["PYTHONPATH"] = str(tmp_path / "site")
    result = run_cli(["steps"], env)
    assert result.returncode != 0
    assert "'nope'" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_plugin_with_a_wrong_hook_signature_gives_a_clear_error(tmp_path, env):
    make_dist(tmp_path / "site", "badsig_plugin", """
        from hermes_setup_pools import hookimpl

        @hookimpl
        def hermes_setup_register_steps(register, flavour):
            pass
    """)
    env["PYTHONPATH"] = str(tmp_path / "site")
    result = run_cli(["steps"], env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "badsig_plugin" in result.stderr and "flavour" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_plugin_with_a_misspelt_hook_gives_a_clear_error(tmp_path, env):
    make_dist(tmp_path / "site", "typo_plugin", """
        from hermes_setup_pools import hookimpl

        @hookimpl
        def hermes_setup_register_step(register):
            pass
    """)
    env["PYTHONPATH"] = str(tmp_path / "site")
    result = run_cli(["steps"], env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hermes_setup_register_step" in result.stderr


def test_plugin_that_fails_to_import_is_named(tmp_path, env):
    make_dist(tmp_path / "site", "broken_plugin", "raise ImportError('missing dependency frobnicate')\n")
    env["PYTHONPATH"] = str(tmp_path / "site")
    result = run_cli(["steps"], env)
    assert result.returncode == 1
    assert "'broken_plugin'" in result.stderr and "frobnicate" in result.stderr
    assert "HERMES_SETUP_DISABLE_PLUGINS=broken_plugin" in result.stderr
    assert "Traceback" not in result.stderr
