"""How long frictionless takes to validate every data package, foreign keys included.

    python benchmarks/datapackages.py [CONTENT_DIR] [--runs N]

Builds the packages into a temporary folder once, then times validating all
of them (the all-programs package included) several times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from frictionless import validate  # noqa: E402

from generator.build import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        result = build(Path(args.content), out / "site", search=False, packages_out=out / "datapackages")
        if not result.built:
            raise SystemExit("the content has errors: run python -m generator validate")
        descriptors = sorted((out / "datapackages").glob("*/datapackage.json"))
        rows = sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in (out / "datapackages").glob("*/*.csv"))
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            reports = [validate(str(path)) for path in descriptors]
            timings.append(time.perf_counter() - start)
            assert all(report.valid for report in reports)
    print(f"packages: {len(descriptors)}, CSV rows: {rows}")
    print(f"validating all packages: median {statistics.median(timings):.2f} s, "
          f"min {min(timings):.2f} s, max {max(timings):.2f} s ({args.runs} runs)")


if __name__ == "__main__":
    main()
