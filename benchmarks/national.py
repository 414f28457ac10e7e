"""The national case: every hromada of Ukraine in one build.

    python benchmarks/national.py                 # 1,469 synthetic programs (takes minutes)
    python benchmarks/national.py --programs 100  # a quicker look
    python benchmarks/national.py --programs 12 --runs 1  # what CI runs

Writes a synthetic corpus (deterministic from --seed) to a temporary folder,
builds it from scratch and prints, for each stage, the wall time and the pages
and files per second, then the peak RSS; times the pure file-write floor for
the same output (the same files and bytes, no rendering) right after each build,
and the ratio of each build to its floor; the rebuild after one program's source changes; and a build of
the five real programs. Each figure is printed against its target. Before each
full build it times the reference loop the targets were set against (bare
Jinja2 writing simple pages), because on a shared machine the figures vary threefold from day to day.

Every build runs in a process of its own, as `python -m generator build` does,
so that its peak of memory is its own, not what earlier builds left behind.
The times are those of the build itself; for the rebuild, the whole process
(Python's start and the imports) is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


TARGETS = {"full build s": 120.0, "floor ratio": 2.0, "peak RSS MiB": 1024.0, "pages/s": 2100.0,
           "incremental s": 2.0, "real programs s": 2.0}


def run_build(content: Path, site: Path, **options: object) -> dict:
    """``generator.build.build`` in a process of its own (see --build); its figures."""
    command = [sys.executable, __file__, "--build", json.dumps({"content": str(content), "site": str(site), **options},
                                                               default=str)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"a build failed:\n{result.stderr}")
    figures = json.loads(result.stdout.splitlines()[-1])
    figures["process"] = time.perf_counter() - start
    if not figures["built"]:
        raise SystemExit("the corpus has errors")
    return figures


def one_build(arguments: str) -> None:
    """--build: one build, then its figures as a line of JSON."""
    from generator.build import build, peak_rss_mib

    options = json.loads(arguments)
    content, site = Path(options.pop("content")), Path(options.pop("site"))
    if "packages_out" in options:
        options["packages_out"] = Path(options["packages_out"])
    start = time.perf_counter()
    result = build(content, site, **options)
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "built": result.built, "pages": result.pages, "files": result.files,
                      "bytes": result.bytes, "reused": result.programs_reused, "seconds": result.seconds,
                      "peaks": result.peaks, "peak": peak_rss_mib(), "memory": result.memory}))


def file_write_floor(site: Path, target: Path) -> float:
    """Write the same number of files with the same sizes, and nothing else: the floor for any build.

    On one machine it has varied threefold within an hour, so main times it once right after
    each build, and compares each build with its own floor. Its seconds.
    """
    sizes = [(p.relative_to(site), p.stat().st_size) for p in site.rglob("*") if p.is_file()]
    start = time.perf_counter()
    for relative, size in sizes:
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    seconds = time.perf_counter() - start
    shutil.rmtree(target)
    return seconds


# The reference page the targets were set against: a title, a six-row table, a paragraph of Cyrillic text and shared
# navigation, about 3 KB. On the machine the targets were set on, a bare Jinja2 loop in one
# process wrote 20,000 of them in about 6 s, Hugo built them at 2,100 pages/s.
REFERENCE_PAGES, REFERENCE_SECONDS = 20_000, 6.0
REFERENCE_PAGE = """<!doctype html>
<html lang="uk"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<nav><ul>{% for link in nav %}<li><a href="{{ link.href }}">{{ link.label }}</a></li>{% endfor %}</ul></nav>
<main><h1>{{ title }}</h1>
<table><thead><tr><th>Рік</th><th>Значення</th><th>Одиниця</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.year }}</td><td>{{ row.value }}</td><td>{{ row.unit }}</td></tr>
{% endfor %}</tbody></table>
<p>{{ text }}</p></main></body></html>
"""


def reference_loop(target: Path) -> float:
    """The reference loop, timed on this machine: its seconds.

    The same build of the national corpus has taken 83 s on one day and 244 s on the next on the
    same kind of machine; timed beside each build, this loop puts its figures next to the
    reference measured at the same moment.
    """
    from jinja2 import Environment

    page = Environment(autoescape=True).from_string(REFERENCE_PAGE)
    nav = [{"href": f"/uk/{slug}/", "label": label} for slug, label in (
        ("programs", "Програми"), ("indicators", "Показники"), ("tasks", "Завдання"),
        ("data", "Відкриті дані"), ("about", "Про проєкт"), ("search", "Пошук"))]
    text = ("Частка адміністративних послуг, які надаються в електронній формі через Єдиний державний "
            "веб-портал електронних послуг, від загальної кількості послуг центру надання "
            "адміністративних послуг громади. ") * 6
    start = time.perf_counter()
    for i in range(REFERENCE_PAGES):
        html = page.render(title=f"Показник {i}: частка послуг в електронній формі", nav=nav, text=text,
                           rows=[{"year": 2023 + y, "value": f"{(i * 7 + y * 13) % 100},{y}", "unit": "%"}
                                 for y in range(6)])
        folder = target / str(i // 1000)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i}.html").write_text(html, encoding="utf-8")
    seconds = time.perf_counter() - start
    shutil.rmtree(target)
    return seconds


def file_system(folder: Path) -> str:
    """The type of the file system a folder is on (Linux's /proc/mounts), or "unknown".

    The floor and the write stage depend on it: on one 2-core machine the national output's
    floor was 9 to 25 s in memory (tmpfs) on different days, and 28 to 85 s on its ext4 disk
    within one run.
    """
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines()]
    except OSError:
        return "unknown"
    path = str(folder.resolve())
    on = [(point, kind) for point, kind in mounts if path == point or path.startswith(point.rstrip("/") + "/")]
    return max(on, key=lambda mount: len(mount[0]))[1] if on else "unknown"


def interpreter() -> str:
    """Which Python runs the benchmark, and whether its interpreter runs from a shared libpython.

    The build's speed depends on how Python was built. On one 2-core machine the same build of
    200 programs took 26% less user CPU time under Debian's python3.11, whose executable holds the
    interpreter, than under pyenv's default build of 3.11.7, which runs it from libpython3.11.so
    (compiled as position-independent code, and without profile-guided optimisation).
    """
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8")
    except OSError:  # not Linux
        return f"Python {platform.python_version()} at {os.path.realpath(sys.executable)}"
    libraries = sorted({line.split()[-1] for line in maps.splitlines() if "/libpython" in line})
    where = f"the interpreter from {libraries[0]}" if libraries else "the interpreter in the executable"
    return f"Python {platform.python_version()} at {os.path.realpath(sys.executable)}: {where}"


def verdict(name: str, value: float, lower_is_better: bool = True) -> str:
    target = TARGETS[name]
    ok = value <= target if lower_is_better else value >= target
    return f"{'meets' if ok else 'MISSES'} target {'≤' if lower_is_better else '≥'} {target:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=1469)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="full builds, floors and rebuilds to take the median of")
    parser.add_argument("--workers", type=int, default=None, help="processes rendering programs (default: one per core)")
    parser.add_argument("--no-search", action="store_true", help="leave the search index out")
    parser.add_argument("--keep", help="keep the corpus and output in this folder")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # one build, in a process of its own (see run_build)
    args = parser.parse_args()
    if args.build:
        one_build(args.build)
        return
    from generator.synthetic import write_corpus

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="national-"))
    content, site, packages = folder / "content", folder / "site", folder / "datapackages"
    options = {"packages_out": packages, "workers": args.workers, "search": not args.no_search}
    try:
        start = time.perf_counter()
        write_corpus(ROOT / "content", content, args.programs, args.seed)
        print(f"corpus: {args.programs} programs written in {time.perf_counter() - start:.1f} s (not counted)")
        print(f"interpreter: {interpreter()}")
        print(f"output: {folder} on {file_system(folder)} (on a disk, the writes and the floor vary from run to run; "
              "--keep /dev/shm/national writes to memory)")

        results, loops, floors = [], [], []
        for _ in range(args.runs):
            loops.append(reference_loop(folder / "reference-loop"))
            shutil.rmtree(site, ignore_errors=True)
            shutil.rmtree(packages, ignore_errors=True)
            results.append(run_build(content, site, incremental=False, **options))
            # Right after its build, not minutes later: within one hour it has taken 22.7 s and 35.5 s.
            floors.append(file_write_floor(site, folder / "floor"))
        totals = [r["wall"] for r in results]
        total = statistics.median(totals)
        result = results[totals.index(sorted(totals)[len(totals) // 2])]  # the median run's stages
        seconds = result["seconds"]
        memory = max(r["memory"] for r in results)
        print(f"\nfull build, median of {args.runs}: {result['pages']:,} pages, {result['files']:,} files, "
              f"{result['bytes'] / 2**20:,.0f} MiB in {total:.1f} s (runs: {', '.join(f'{t:.1f}' for t in totals)}) "
              f"— {verdict('full build s', total)}")
        print("  stage (time summed over worker processes; 'programs' is the wall time of the parallel part)")
        for stage, spent in seconds.items():
            rate = ""
            if stage == "programs":
                rate = f", {result['pages'] / spent:,.0f} pages/s"
            elif stage == "write":
                rate = f", {result['files'] / spent:,.0f} files/s"
            elif stage == "search index":
                rate = f", {spent * 1000 / result['pages']:.2f} ms a page"
            print(f"  {stage:<16} {spent:7.2f} s{rate}")
        print("  the largest process's peak RSS by the end of each step: "
              + ", ".join(f"{step} {peak:,.0f} MiB" for step, peak in result["peaks"].items()))
        rendered = result["pages"] / seconds["programs"]
        print(f"  pages checked, rendered and written per second (wall): {rendered:,.0f} — "
              f"{verdict('pages/s', rendered, lower_is_better=False)}")
        print(f"  pages per second over the whole build: {result['pages'] / total:,.0f}")
        loop = statistics.median(loops)
        print(f"  the reference loop, timed before each full build (bare Jinja2, one process, "
              f"{REFERENCE_PAGES:,} simple pages of 3 KB): {loop:.1f} s, {REFERENCE_PAGES / loop:,.0f} pages/s "
              f"(runs: {', '.join(f'{t:.1f}' for t in loops)}; where the targets were set: about {REFERENCE_SECONDS:g} s); "
              f"the build's pages per second are {rendered / (REFERENCE_PAGES / loop):.2f} of the loop's (Hugo's "
              f"{TARGETS['pages/s']:,.0f} pages/s was {TARGETS['pages/s'] * REFERENCE_SECONDS / REFERENCE_PAGES:.2f} "
              f"of the loop there)")
        print(f"peak RSS of a full build, its processes together (the sum of each one's peak), highest of {args.runs}: "
              f"{memory:,.0f} MiB — {verdict('peak RSS MiB', memory)}; the largest one process: "
              f"{max(r['peak'] for r in results):,.0f} MiB")

        floor = statistics.median(floors)
        ratios = [build / floor_ for build, floor_ in zip(totals, floors)]
        ratio = statistics.median(ratios)
        print(f"file-write floor, median of {args.runs}, each timed right after its build: {floor:.1f} s, "
              f"{floor * 1e6 / result['files']:,.0f} µs a file (runs: {', '.join(f'{t:.1f}' for t in floors)})")
        print(f"build / floor, each build against the floor timed after it, median of {args.runs}: {ratio:.2f} "
              f"(runs: {', '.join(f'{r:.2f}' for r in ratios)}; the medians' ratio: {total / floor:.2f}) — "
              f"{verdict('floor ratio', ratio)}")

        program = sorted(p for p in content.iterdir() if p.is_dir())[0]
        tasks = program / "tasks.yaml"
        original = tasks.read_text(encoding="utf-8")
        rebuilds = []
        for run in range(args.runs):
            tasks.write_text(original.replace("number: '1'", f"number: '1{'abcdefghij'[run % 10]}'", 1), encoding="utf-8")
            rebuilds.append(run_build(content, site, **options))
        walls = [r["wall"] for r in rebuilds]
        incremental = statistics.median(walls)
        rebuilt = rebuilds[walls.index(sorted(walls)[len(walls) // 2])]
        print(f"rebuild after one program changed, median of {args.runs}: {incremental:.2f} s "
              f"({rebuilt['reused']:,} programs reused; "
              + ", ".join(f"{stage} {spent:.2f} s" for stage, spent in rebuilt["seconds"].items())
              + f") — {verdict('incremental s', incremental)}")
        print(f"  the whole process, Python's start and imports included: "
              f"{statistics.median(r['process'] for r in rebuilds):.2f} s")
        memory = max(r["memory"] for r in rebuilds)
        print(f"peak RSS of the rebuilds (each reads the previous manifest), their processes together: {memory:,.0f} MiB — "
              f"{verdict('peak RSS MiB', memory)}")

        reals = []
        for _ in range(args.runs):
            shutil.rmtree(folder / "real-site", ignore_errors=True)
            reals.append(run_build(ROOT / "content", folder / "real-site", packages_out=folder / "real-packages",
                                   incremental=False)["wall"])
        real = statistics.median(reals)
        print(f"five real programs, full build, median of {args.runs}: {real:.2f} s — {verdict('real programs s', real)}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # a fixed data date: no git history here
    main()
