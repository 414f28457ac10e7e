"""What the libraries we do not use for two jobs would cost a national build.

    python benchmarks/libraries.py                 # 40 synthetic programs, scaled to 1,469
    python benchmarks/libraries.py --programs 100

- DCAT: `dcat.dataset_turtle` writes each package's dataset as Turtle; rdflib would build the same
  graph and serialise it. Timed per package, here both ways, and scaled to every hromada.
- Zips: the all-programs zip is joined from the programs' compressed rows (`datapackage.write_zip`);
  `zipfile` would compress every row of the country again, on every rebuild.

Compare the figures with a national build's time (docs/en/performance.md): a hand-written
replacement stays only where the library would cost at least a tenth of it.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Graph  # noqa: E402 - after the path is set

from generator.build import build  # noqa: E402
from generator.datapackage import Package  # noqa: E402
from generator.dcat import dataset_turtle  # noqa: E402
from generator.synthetic import write_corpus  # noqa: E402

NATIONAL = 1469


def best_of(runs: int, work) -> float:  # noqa: ANN001 - any callable
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_corpus(ROOT / "content", root / "content", args.programs, seed=11)
        result = build(root / "content", root / "site", search=False, workers=1, incremental=False)
        assert result.built
        data = root / "datapackages"
        packages = [Package(path.parent.name, json.loads(path.read_text(encoding="utf-8")), {})
                    for path in sorted(data.glob("*/datapackage.json")) if path.parent.name != "all"]
        base = "https://example.org/"
        ours = [best_of(5, lambda p=p: dataset_turtle(p, base, "2026-12-01")) for p in packages]
        graphs = [Graph().parse(data=dataset_turtle(p, base, "2026-12-01"), format="turtle") for p in packages]

        def with_rdflib(parsed: Graph) -> None:  # the same triples, built and serialised by rdflib
            graph = Graph()
            for triple in parsed:
                graph.add(triple)
            graph.serialize(format="turtle")

        theirs = [best_of(5, lambda g=g: with_rdflib(g)) for g in graphs]
        print(f"DCAT dataset of a package, median of {len(packages)}: written {statistics.median(ours) * 1000:.2f} ms, "
              f"with rdflib {statistics.median(theirs) * 1000:.2f} ms; for {NATIONAL:,} packages: "
              f"{statistics.median(ours) * NATIONAL:.1f} s against {statistics.median(theirs) * NATIONAL:.1f} s")

        files = sorted(path for path in (data / "all").iterdir() if path.suffix in (".csv", ".json"))
        size = sum(path.stat().st_size for path in files)

        def with_zipfile() -> None:
            with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.write(path, f"all/{path.name}")

        seconds = best_of(3, with_zipfile)
        print(f"all-programs zip by zipfile: {size / 1e6:.1f} MB of CSV in {seconds:.2f} s; for {NATIONAL:,} "
              f"programs: {seconds * NATIONAL / args.programs:.1f} s on every rebuild (joined from the "
              f"programs' compressed rows instead)")


if __name__ == "__main__":
    main()
