"""Memory taken by an image bomb: the 17.5 KB PNG that claims 12000 × 12000 pixels.

    .venv/bin/python bench/image_bomb.py

Runs `liaison.uploads.clean_image` on the PNG in two fresh processes (test settings,
SQLite; nothing is stored): one with the cap as configured (LIAISON_MAX_IMAGE_PIXELS,
default 50 million), one with the cap lifted to a billion, which is what every upload
path did before the cap existed. Prints, for each, the outcome and the process's
resident size (current and peak, from /proc and getrusage) before and after.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os, resource
os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.test"
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from liaison.uploads import clean_image
from tests.security.images import bomb_png

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

data = bomb_png()
before = {"rss_kb": rss_kb(), "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
try:
    out = clean_image(SimpleUploadedFile("bomb.png", data))
    outcome = f"accepted, re-encoded to {out.size} bytes"
except ValidationError as error:
    outcome = "refused: " + error.messages[0]
after = {"rss_kb": rss_kb(), "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
print(json.dumps({"bytes": len(data), "before": before, "after": after, "outcome": outcome}))
"""


def run(cap: int | None) -> dict:
    env = dict(os.environ)
    if cap is not None:
        env["LIAISON_MAX_IMAGE_PIXELS"] = str(cap)
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    mb = lambda kb: f"{kb / 1024:7.1f} MB"
    for label, cap in (("cap as configured", None), ("cap lifted (before)", 1_000_000_000)):
        r = run(cap)
        print(f"{label}: {r['bytes']:,}-byte PNG, 12000 x 12000 → {r['outcome']}")
        print(f"    RSS  before {mb(r['before']['rss_kb'])}   after {mb(r['after']['rss_kb'])}")
        print(f"    peak before {mb(r['before']['peak_kb'])}   after {mb(r['after']['peak_kb'])}")


if __name__ == "__main__":
    main()
