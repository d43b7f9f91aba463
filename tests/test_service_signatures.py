"""The services' signatures say what they take (STYLE.md, "services.py"): every public function of
these service modules has a type on each parameter and on its return, and each write (a function
with an explicit `actor`) takes keyword arguments only, so no caller can swap two of them.

Reads the source tree only (no database): a new service without types fails here with its name.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE_MODULES = (
    "liaison/bodies/services.py",
    "petitions/suggestions/services.py",
    "petitions/supervision/services.py",
    "stations/network/services.py",
    "stations/performance/services.py",
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "stations/reception").rglob("services*.py")),
)


def _public_functions(relative: str):
    tree = ast.parse((ROOT / relative).read_text())
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def test_the_reception_services_are_listed():
    assert {"stations/reception/events/services.py", "stations/reception/plans/services.py"} <= set(SERVICE_MODULES)


@pytest.mark.parametrize("relative", SERVICE_MODULES)
def test_public_service_functions_are_typed(relative):
    untyped = []
    for function in _public_functions(relative):
        args = function.args
        missing = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation is None]
        if missing or function.returns is None:
            untyped.append(f"{function.name}({', '.join(missing)}){'' if function.returns else ' -> ?'}")
    assert not untyped, f"{relative}: type these: {untyped}"


@pytest.mark.parametrize("relative", SERVICE_MODULES)
def test_writes_take_keyword_arguments_only(relative):
    positional = [
        function.name
        for function in _public_functions(relative)
        if "actor" in {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
        and (function.args.posonlyargs or function.args.args)
    ]
    assert not positional, f"{relative}: make these keyword-only (`*, actor, ...`): {positional}"
