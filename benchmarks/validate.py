"""How long validating the real programs takes.

Prints the in-process time of `validate(content/)` over several runs, and the
wall time of the whole `python -m generator validate content/` command, which
includes starting Python and importing the libraries.

    python benchmarks/validate.py [CONTENT_DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.validate import validate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", nargs="?", default=str(ROOT / "content"))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    content = Path(args.content)

    validate(content)  # warm-up: imports, file cache
    in_process = []
    for _ in range(args.runs):
        start = time.perf_counter()
        corpus = validate(content)
        in_process.append(time.perf_counter() - start)

    whole = []
    for _ in range(max(3, args.runs // 2)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "validate", str(content)], cwd=ROOT,
                       capture_output=True, check=False)
        whole.append(time.perf_counter() - start)

    files = sum(len(p.files) + sum(len(s) for s in p.sections.values()) for p in corpus.programs) + 1
    print(f"programs: {len(corpus.programs)}, files: {files}, problems: {len(corpus.problems)}")
    print(f"validate() in process: median {statistics.median(in_process) * 1000:.0f} ms, "
          f"min {min(in_process) * 1000:.0f} ms, max {max(in_process) * 1000:.0f} ms ({args.runs} runs)")
    print(f"whole command:         median {statistics.median(whole) * 1000:.0f} ms, "
          f"min {min(whole) * 1000:.0f} ms, max {max(whole) * 1000:.0f} ms ({len(whole)} runs)")


if __name__ == "__main__":
    main()
