"""Peak memory of a roster import that is too large (300,001 rows): how far it is read before it is refused.

    .venv/bin/python bench/import_memory.py [--rows 300001]

Writes two station rosters of `--rows` rows into a temporary folder: one whose sheet
declares its size (as Excel and WPS write it) and one that declares none (a generated
file). Each is then read by `stations.roster.reading._read_rows`, as the import job reads
it, in a fresh process, which prints its wall time, outcome and peak resident memory
(ru_maxrss). A process that only starts Django is measured too, as the baseline.
Not a test: it prints figures.
"""

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")
    import django

    django.setup()


class _Progress:  # the job's progress bar, without its database row
    def total(self, n):
        pass

    def advance(self, done, force=False):
        pass


def measure(path: str) -> None:
    _django()
    if path == "-":
        print(f"baseline: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        return
    from liaison.jobs import JobRejected
    from liaison.models import Role, User
    from stations.roster import STATION_ROSTER
    from stations.roster.reading import _read_rows

    owner = User(username="bench", role=Role.ADMIN, is_superuser=True, is_active=True)
    started = time.monotonic()
    try:
        with open(path, "rb") as fh:
            rows, _ = _read_rows(fh, STATION_ROSTER, owner, _Progress())
        outcome = f"read {len(rows):,} rows"
    except JobRejected as rejected:
        outcome = f"refused: {rejected.message}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{Path(path).name}: {time.monotonic() - started:.1f} s, peak {peak:.0f} MB, {outcome}")


def write_files(folder: Path, rows: int) -> list[Path]:
    _django()
    from openpyxl import Workbook

    from stations.roster import STATION_ROSTER

    header = [str(c.label) for c in STATION_ROSTER.columns]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for i in range(rows):
        ws.append([f"Z-{i}", f"联络站{i}", "联络站", "", "110119100201", "测试路1号", None, None, "周一至周五",
                   "010-69101234", None, None, "是"])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    undeclared = folder / "undeclared.xlsx"
    undeclared.write_bytes(out.getvalue())
    # The same file with the <dimension> Excel writes before <sheetViews>.
    declared = folder / "declared.xlsx"
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    with zipfile.ZipFile(declared, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetViews>", f'<dimension ref="A1:M{rows + 1}"/><sheetViews>'.encode(), data, count=1
                )
            target.writestr(item, data)
    return [declared, undeclared]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_001)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    if args.write:
        return print(*write_files(Path(args.write), args.rows))
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        subprocess.run([sys.executable, __file__, "--write", folder, "--rows", str(args.rows)], check=True)
        print(f"wrote two rosters of {args.rows:,} rows in {time.monotonic() - started:.0f} s")
        for target in ("-", f"{folder}/declared.xlsx", f"{folder}/undeclared.xlsx"):
            subprocess.run([sys.executable, __file__, "--measure", target], check=True)


if __name__ == "__main__":
    main()
