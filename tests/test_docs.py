"""The documentation is part of the contract: every hook spec is documented and
tested, and the example plugin in docs/hooks.md really works."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

from hermes_setup_pools import NAME, hookspecs

from conftest import ROOT, run_cli
from helpers import pip_install_source

HOOKS_DOC = ROOT / "docs" / "hooks.md"


def hook_specs():
    return [
        (name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, f"{NAME}_spec")
    ]


def code_block_after(text: str, marker: str, lang: str) -> str:
    start = text.index(marker)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(text, start)
    return match.group(1)


def test_every_hook_spec_has_a_docstring_and_a_section_in_docs():
    specs = hook_specs()
    assert specs, "no hook specs found"
    doc = HOOKS_DOC.read_text()
    for name, fn in specs:
        assert name.startswith(f"{NAME}_")
        params = ", ".join(inspect.signature(fn).parameters)
        assert f"### `{name}({params})`" in doc, f"docs/hooks.md lacks a section for {name}"
        assert fn.__doc__ and len(fn.__doc__.split()) > 40, f"{name} needs a full docstring"


def test_every_hook_spec_is_exercised_by_a_test():
    sources = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_docs.py")
    for name, _ in hook_specs():
        assert f"def {name}(" in sources, f"no test implements {name}"


def test_the_example_plugin_in_the_docs_installs_and_runs_after_the_pool(tmp_path, env):
    doc = HOOKS_DOC.read_text()
    files = {
        "pyproject.toml": code_block_after(doc, "`pyproject.toml`:", "toml").replace(
            'dependencies = ["hermes-setup-pools"]\n', ""
        ),
        "hermes_pool_reminder.py": code_block_after(doc, "`hermes_pool_reminder.py`:", "python"),
    }
    site = pip_install_source(files, tmp_path / "site", tmp_path / "hermes-pool-reminder")
    env["PYTHONPATH"] = str(site)
    result = run_cli(["steps"], env)
    assert result.returncode == 0, result.stderr
    expected = code_block_after(doc, "Install it next to", "console").splitlines()[1:]
    assert result.stdout.splitlines() == expected

    # and the docs' own tests for it pass with the shipped pytest plugin
    project = tmp_path / "author-tests"
    project.mkdir()
    (project / "conftest.py").write_text(code_block_after(doc, "`conftest.py`:", "python"))
    (project / "test_pool_reminder.py").write_text(code_block_after(doc, "`test_pool_reminder.py`:", "python"))
    tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
                            capture_output=True, text=True, env=env, cwd=project, timeout=120)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout
