"""The layout ARCHITECTURE.md promises: small modules, demo code apart, imports that say where names live.

These read the source tree only (no database): a module that grows past the limit, or production
code that starts importing the demo loaders, fails here with the file named.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("liaison", "petitions", "stations")
MAX_LINES = 500
# Data tables: long by nature, no logic to split (ARCHITECTURE.md, "Layout rules").
DATA_TABLES = {"petitions/demo/texts.py"}


def application_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            yield relative, path


def test_no_application_module_is_over_the_limit():
    too_long = {
        relative: count
        for relative, path in application_modules()
        if relative not in DATA_TABLES and (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, f"split these modules (at most {MAX_LINES} lines each): {too_long}"


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name


def _is_demo(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 2 and parts[0] in APPS and parts[1] == "demo"


def test_production_code_never_imports_the_demo_loaders():
    """Demo and seed code lives in one `demo` package per app; only `seed_demo` and the demo itself use it."""
    offenders = []
    for relative, path in application_modules():
        if "/demo/" in relative or "/management/commands/" in relative:
            continue
        if any(_is_demo(m) for m in _imported_modules(ast.parse(path.read_text()))):
            offenders.append(relative)
    assert not offenders, f"production modules import demo code: {offenders}"


@pytest.mark.parametrize("app", ["petitions", "stations"])
def test_apps_are_sub_domain_packages(app):
    """No flat `views_*`, `forms_*`, `urls_*` modules at an app's root: each sub-domain is a package."""
    flat = [
        p.name
        for p in (ROOT / app).glob("*.py")
        if p.stem.startswith(("views_", "forms_", "urls_", "demo_")) or p.stem.endswith(("_views", "_selectors"))
    ]
    assert not flat, f"{app}/ has flat modules that belong in a sub-domain package: {flat}"
