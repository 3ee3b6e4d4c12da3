"""The apps depend on each other in one direction: reporting ← clients ← credentials."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_apps(app: str) -> set[str]:
    """The top-level packages the app's own modules (migrations aside) import."""
    found = set()
    for source in (ROOT / app).rglob("*.py"):
        if "migrations" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("app", "later_apps"),
    [
        ("reporting", {"clients", "credentials", "registrations"}),
        ("clients", {"credentials", "registrations"}),
    ],
)
def test_an_app_imports_none_of_the_apps_built_on_it(app, later_apps):
    assert imported_apps(app) & later_apps == set()
