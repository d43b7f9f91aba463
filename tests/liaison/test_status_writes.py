"""Nothing writes a status field outside the workflow engine (liaison.workflow).

Every status move of a petition, a suggestion, a reception event or a plan goes through its
table (`Workflow.apply` / `apply_many`), so the table is the whole truth about where an item
can go. This test reads the application code (not migrations, not the engine) and fails on
any other write of a field named `status`:

- an assignment to `<anything>.status` (also in a tuple, or `setattr(x, "status", ...)`);
- `status=` in `.update(...)`, or "status" in `update_or_create(defaults=...)`;
- "status" in the `update_fields` of a save.

A row is created in its initial status by its service (each table names them: `initial`);
creating is not a move and is not scanned.

Two kinds of code write statuses on purpose and are listed below with the reason: the seed
code of the demo packages (it builds months of history at once, writing each item's final
state and the events that lead there in bulk; the services would take hours), and the
delivery machinery (the outbox's and background jobs' own states, claimed with conditional
updates, and the reception notices cancelling their own unsent messages): no person moves
those and no workflow table applies.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("liaison", "petitions", "stations")
ENGINE = Path("liaison/workflow.py")

# Whole directories of seed code: demo data written in bulk, never run by a user.
SEED_PACKAGES = (
    Path("petitions/demo"),
    Path("stations/demo"),
)
# (file, function): the delivery states of the outbox and of background jobs.
MACHINERY = {
    (Path("liaison/outbox.py"), "outbox_cancel"): "cancels pending messages of a key prefix (one UPDATE)",
    (Path("liaison/outbox.py"), "outbox_retry"): "puts a failed message back in the queue",
    (Path("liaison/outbox.py"), "deliver_batch"): "records a delivery attempt: sent, or retried later",
    (
        Path("liaison/outbox.py"),
        "_claim",
    ): "delivers inbox rows in the claiming transaction (the claim leases the others)",
    (Path("liaison/outbox.py"), "_send"): "marks one leased row sent, or retried later, right after its gateway call",
    (Path("liaison/outbox.py"), "_failed"): "records a message that failed for good",
    (Path("liaison/jobs.py"), "job_run"): "claims a waiting job, then records how it ended",
    (Path("stations/reception/events/notices.py"), "notice_event_changed"): (
        "a cancelled event's unsent notices are cancelled (the outbox's state, by the notices that wrote them)"
    ),
}


def _sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or rel == ENGINE:
                continue
            if any(rel.is_relative_to(seed) for seed in SEED_PACKAGES):
                continue
            files.append(rel)
    return files


def _names_status(node: ast.AST) -> bool:
    """The expression holds the string "status" (a list of update_fields, a sorted set...)."""
    return any(isinstance(n, ast.Constant) and n.value == "status" for n in ast.walk(node))


def _targets(node: ast.AST):
    for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
        if target is None:
            continue
        yield from (t for t in ast.walk(target) if isinstance(t, ast.Attribute))


class _Finder(ast.NodeVisitor):
    """Status writes in one module, each with the function it is in."""

    def __init__(self):
        self.found: list[tuple[int, str, str]] = []
        self.where: list[str] = []

    def _add(self, node: ast.AST, what: str) -> None:
        self.found.append((node.lineno, self.where[-1] if self.where else "<module>", what))

    def visit_FunctionDef(self, node):
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _assign(self, node):
        for attribute in _targets(node):
            if attribute.attr == "status":
                self._add(node, "assigns .status")
        self.generic_visit(node)

    visit_Assign = visit_AnnAssign = visit_AugAssign = _assign

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "setattr" and len(node.args) >= 2 and _names_status(node.args[1]):
            self._add(node, 'setattr(..., "status", ...)')
        for keyword in node.keywords:
            if name == "update" and keyword.arg == "status":
                self._add(node, ".update(status=...)")
            if name == "update_or_create" and keyword.arg == "defaults" and _names_status(keyword.value):
                self._add(node, "update_or_create(defaults={'status': ...})")
            if keyword.arg == "update_fields" and _names_status(keyword.value):
                self._add(node, "save(update_fields=[..., 'status'])")
        self.generic_visit(node)


def status_writes(path: Path) -> list[tuple[int, str, str]]:
    finder = _Finder()
    finder.visit(ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=str(path)))
    return [(line, where, what) for line, where, what in finder.found if (path, where) not in MACHINERY]


def test_no_code_writes_a_status_outside_the_engine():
    offenders = [
        f"{path}:{line} in {where}(): {what}" for path in _sources() for line, where, what in status_writes(path)
    ]
    assert not offenders, "status written outside liaison.workflow:\n" + "\n".join(offenders)


def test_the_listed_exceptions_exist():
    """An exception that no longer matches anything is removed, so the list never hides new code."""
    for seed in SEED_PACKAGES:
        assert (ROOT / seed).is_dir(), seed
    for path, function in MACHINERY:
        finder = _Finder()
        finder.visit(ast.parse((ROOT / path).read_text(encoding="utf-8")))
        assert any(where == function for _line, where, _what in finder.found), (path, function)


@pytest.mark.parametrize(
    "code",
    [
        "def f(p):\n    p.status = 'closed'\n",
        "def f(p):\n    p.status, p.version = 'closed', 2\n",
        "def f(p):\n    setattr(p, 'status', 'closed')\n",
        "def f(qs):\n    qs.update(status='closed')\n",
        "def f(p):\n    p.save(update_fields=['status', 'version'])\n",
        "def f(p, fields):\n    p.save(update_fields=sorted({*fields, 'status'}))\n",
        "def f(M):\n    M.objects.update_or_create(pk=1, defaults={'status': 'x'})\n",
    ],
)
def test_the_scan_sees_each_kind_of_write(code):
    finder = _Finder()
    finder.visit(ast.parse(code))
    assert finder.found, code


@pytest.mark.parametrize(
    "code",
    [
        "def f(qs):\n    return qs.filter(status='closed')\n",
        "def f(p):\n    return p.status == 'closed'\n",
        "def f(M):\n    return M(status='scheduled')\n",
        "def f(p):\n    p.save(update_fields=['state'])\n",
    ],
)
def test_the_scan_leaves_reads_and_creation_alone(code):
    finder = _Finder()
    finder.visit(ast.parse(code))
    assert not finder.found, code
