"""The house's one direction (DESIGN.md): ``kensho`` (the composition root) → ``handlers`` → ``bot`` →
``store``, nothing importing upward; and the tests' ``kensho`` subprocesses run this checkout."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from kensho_cli import KENSHO, ROOT, checkout_env

# What each package must never import, also lazily inside a function.
FORBIDDEN = {
    "store": {"bot", "handlers", "kensho", "slack_bolt", "slack_sdk"},
    "bot": {"handlers", "kensho", "slack_bolt", "slack_sdk"},
    "handlers": {"kensho"},
}


def _imports(path: Path) -> set[str]:
    """The top-level packages a module imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down_only(package: str) -> None:
    upward = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imports(path) & FORBIDDEN[package]
    }
    assert upward == {}


def _constructed(path: Path) -> set[str]:
    """The names of what a module calls by name: App(...), Services(...) …"""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def test_only_the_composition_root_builds_the_database_the_services_and_the_app() -> None:
    builders = {"open_database", "Asker", "Services", "App"}
    built = {
        str(path.relative_to(ROOT)): sorted(_constructed(path) & builders)
        for top in ("bot", "handlers", "store", "kensho")
        for path in sorted((ROOT / top).rglob("*.py"))
        if _constructed(path) & builders and path.name != "db.py"  # store/db.py defines open_database
    }
    assert built and all(path.startswith("kensho/") for path in built), built
    assert {"App", "Services"} <= set(built["kensho/app.py"])


def test_the_console_script_is_the_composition_roots_main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"] == {"kensho": "kensho.cli:main"}
    assert "kensho*" in project["tool"]["setuptools"]["packages"]["find"]["include"]


def test_the_tests_kensho_command_runs_this_checkout_from_anywhere(tmp_path: Path) -> None:
    script = (
        "import bot, handlers, kensho, store; print('\\n'.join(m.__file__ for m in (bot, handlers, kensho, store)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=checkout_env(), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert all(Path(line).is_relative_to(ROOT) for line in done.stdout.splitlines())
    assert KENSHO[1:] == ["-m", "kensho"]
