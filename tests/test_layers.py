"""The apps depend on each other one way (DESIGN.md, "How the apps depend on each other"):
``civicplan``'s site-wide pieces below everything, then ``priorities`` (what was decided),
``initiatives`` (the work and its tracking), ``reporting`` (reads both). Only the project's
URL configuration, at the very top, brings them together."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = ["civicplan", "priorities", "initiatives", "reporting"]
# The root URLconf and the settings sit above every app.
TOP = {Path("civicplan/urls.py")}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """(app, line) for every import of one of LAYERS in the module at ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in LAYERS}
    return found


def modules_of(app: str) -> list[Path]:
    root = Path(settings.BASE_DIR)
    return sorted(path.relative_to(root) for path in (root / app).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    upward = [
        f"{path}:{line} imports {other}"
        for path in modules_of(app)
        if path not in TOP
        for other, line in sorted(imported_apps(Path(settings.BASE_DIR) / path))
        if other in above
    ]
    assert upward == []


def test_the_walk_sees_an_upward_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("import os\nfrom reporting.models import BoardUpdate\n\ndef f():\n    import initiatives.views\n")
    assert imported_apps(module) == {("reporting", 2), ("initiatives", 5)}
