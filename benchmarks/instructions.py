"""The instructions a build runs, counted by valgrind: a figure that repeats, for comparing two versions.

    python benchmarks/instructions.py                # 12 synthetic programs, one process
    python benchmarks/instructions.py --programs 24

On a shared machine the wall time of the same build swings by a fifth from one
run to the next; the instructions it runs differ by less than a hundredth of a per cent
(two runs were 3 in a million apart in one checkout, 15 in another). So a
change meant to make the build faster is compared here first, before and after
(`git stash`), and then timed whole with `benchmarks/national.py`.

Builds a synthetic corpus (deterministic from --seed) from scratch in one process
(workers=1), under `valgrind --tool=cachegrind --cache-sim=no`, and prints the
instructions of the whole process, of Python's start and the generator's imports
alone, and the difference: what the build itself runs. These are the process's own
instructions: the kernel's work in writing the files, a tenth of a build, is not
counted, so the wall time gains less than the count. The same build runs once
first without valgrind, so that the templates are compiled and cached, as on every
build but the first after they or the generator change. Needs valgrind (Debian:
`apt install valgrind`); a run takes about half a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from generator.build import build
if {run!r}:
    result = build(Path({content!r}), Path({site!r}), packages_out=Path({packages!r}), incremental=False, workers=1)
    assert result.built, "the corpus has errors"
"""


def instructions(program: str) -> int:
    """The instructions ``python -c program`` runs, by cachegrind's count."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-c", program]
    environment = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"valgrind failed:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt install valgrind)")
    from generator.synthetic import write_corpus

    with tempfile.TemporaryDirectory(prefix="instructions-") as folder:
        content = Path(folder) / "content"
        write_corpus(ROOT / "content", content, args.programs, args.seed)
        paths = {"root": str(ROOT), "content": str(content), "site": f"{folder}/site", "packages": f"{folder}/packages"}
        subprocess.run([sys.executable, "-c", BUILD.format(run=True, **paths)], check=True)  # templates compiled
        shutil.rmtree(paths["site"])
        shutil.rmtree(paths["packages"])
        whole = instructions(BUILD.format(run=True, **paths))
        start = instructions(BUILD.format(run=False, **paths))
    print(f"{args.programs} programs, one process: {whole:,} instructions; Python's start and imports "
          f"{start:,}; the build itself {whole - start:,}")


if __name__ == "__main__":
    main()
