"""The shape of the package, checked: no import cycles (imports inside
functions included), no module over 300 lines, and a typed public API."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "hermes_setup_pools"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (never executed)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def package_imports() -> dict[str, set[str]]:
    """module -> the package modules it imports, wherever the import statement is
    (module level or inside a function)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                parent = base
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                source = (f"{parent}.{node.module}" if node.module else parent) if node.level else str(node.module)
                targets = [f"{source}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # a name in a module: the module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def test_no_import_cycle_anywhere_in_the_package():
    graph = package_imports()
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        pytest.fail("import cycle: " + " -> ".join(exc.args[1]))


def test_the_cycle_check_can_fail(tmp_path, monkeypatch):
    fake = tmp_path / "hermes_setup_pools"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "a.py").write_text("from . import b\n")
    (fake / "b.py").write_text("def f():\n    from .a import x\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_no_import_cycle_anywhere_in_the_package()


def test_no_module_is_longer_than_300_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these along a seam that has a name: {long}"


def test_the_package_ships_py_typed():
    assert (PACKAGE / "py.typed").exists()


def test_mypy_flags_a_badly_typed_step_in_a_plugin_authors_file(tmp_path):
    plugin = tmp_path / "author_plugin.py"
    plugin.write_text(textwrap.dedent("""
        from hermes_setup_pools import Context, Step, hookimpl

        def run(context: Context) -> None:
            context.echo("hi")

        GOOD = Step(id="mine", title="Mine", run=run, after=("credential_pool",))
        BAD = Step(id=1, title=2, run=3)
    """))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(plugin)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    bad_line = plugin.read_text().splitlines().index("BAD = Step(id=1, title=2, run=3)") + 1
    assert result.returncode == 1, result.stdout + result.stderr
    assert {int(line.split(":")[1]) for line in errors} == {bad_line}, result.stdout  # only the BAD line
    assert any('"id"' in line and '"int"' in line for line in errors), result.stdout
