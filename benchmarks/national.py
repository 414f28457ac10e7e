"""The national case: every hromada of Ukraine in one build.

    python benchmarks/national.py                 # 1,469 synthetic programs (takes minutes)
    python benchmarks/national.py --programs 100  # a quicker look

Writes a synthetic corpus (deterministic from --seed) to a temporary folder,
builds it from scratch and prints, for each stage, the wall time and the pages
and files per second, then the peak RSS; times the pure file-write floor for
the same output (the same files and bytes, no rendering) and the ratio of the
build to it; the rebuild after one program's source changes; and a build of
the five real programs. Each figure is printed against its target.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402
from generator.synthetic import write_corpus  # noqa: E402

TARGETS = {"full build s": 120.0, "floor ratio": 2.0, "peak RSS MiB": 1024.0, "pages/s": 2100.0,
           "incremental s": 2.0, "real programs s": 2.0}


def peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


def file_write_floor(site: Path, target: Path) -> float:
    """Write the same number of files with the same sizes, and nothing else: the floor for any build."""
    sizes = [(p.relative_to(site), p.stat().st_size) for p in site.rglob("*") if p.is_file()]
    start = time.perf_counter()
    for relative, size in sizes:
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    return time.perf_counter() - start


def verdict(name: str, value: float, lower_is_better: bool = True) -> str:
    target = TARGETS[name]
    ok = value <= target if lower_is_better else value >= target
    return f"{'meets' if ok else 'MISSES'} target {'≤' if lower_is_better else '≥'} {target:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=1469)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="keep the corpus and output in this folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="national-"))
    content, site, packages = folder / "content", folder / "site", folder / "datapackages"
    try:
        start = time.perf_counter()
        write_corpus(ROOT / "content", content, args.programs, args.seed)
        print(f"corpus: {args.programs} programs written in {time.perf_counter() - start:.1f} s (not counted)")

        start = time.perf_counter()
        result = build(content, site, packages_out=packages)
        total = time.perf_counter() - start
        if not result.built:
            raise SystemExit("the synthetic corpus has errors")
        rss = peak_rss_mib()
        print(f"\nfull build: {result.pages} pages, {result.files} files, {result.bytes / 2**20:.0f} MiB "
              f"in {total:.1f} s — {verdict('full build s', total)}")
        for stage, seconds in result.seconds.items():
            rate = ""
            if stage == "pages":
                rate = f", {result.pages / seconds:,.0f} pages/s"
            elif stage == "write":
                rate = f", {result.files / seconds:,.0f} files/s"
            print(f"  {stage:<13} {seconds:7.2f} s{rate}")
        pages_per_second = result.pages / total
        print(f"  pages per second over the whole build: {pages_per_second:,.0f} — "
              f"{verdict('pages/s', pages_per_second, lower_is_better=False)}")
        print(f"peak RSS: {rss:,.0f} MiB — {verdict('peak RSS MiB', rss)}")

        floor = file_write_floor(site, folder / "floor")
        shutil.rmtree(folder / "floor")
        print(f"file-write floor: {floor:.1f} s; build / floor = {total / floor:.1f} — "
              f"{verdict('floor ratio', total / floor)}")

        program = sorted(p for p in content.iterdir() if p.is_dir())[0]
        tasks = program / "tasks.yaml"
        tasks.write_text(tasks.read_text(encoding="utf-8").replace("number: '1'", "number: '1a'", 1), encoding="utf-8")
        start = time.perf_counter()
        build(content, site, packages_out=packages)
        incremental = time.perf_counter() - start
        print(f"rebuild after one program changed: {incremental:.1f} s — {verdict('incremental s', incremental)}")

        start = time.perf_counter()
        build(ROOT / "content", folder / "real-site", packages_out=folder / "real-packages")
        real = time.perf_counter() - start
        print(f"five real programs, full build: {real:.2f} s — {verdict('real programs s', real)}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # a fixed data date: no git history here
    main()
