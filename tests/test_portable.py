"""The generator on Windows and macOS: no POSIX-only module needed, workers started by spawn, the same bytes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTENT, ROOT

# Run as a script, so that spawned workers run its top again (as __mp_main__) and refuse the modules too.
_WITHOUT_POSIX = """
import os, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name in ("fcntl", "resource"):
            with open(os.environ["REFUSED"], "a") as log:
                log.write(f"{os.getpid()} {name}\\n")
            raise ImportError(f"No module named {name!r} (as on Windows)")
        return None

sys.meta_path.insert(0, Refuse())
with open(os.environ["REFUSED"], "a") as log:
    log.write(f"{os.getpid()} started\\n")
for name in ("fcntl", "resource"):
    sys.modules.pop(name, None)

import generator.parallel
generator.parallel.START_METHOD = os.environ["START_METHOD"]

if __name__ == "__main__":
    from generator.cli import main
    sys.exit(main(sys.argv[1:]))
"""


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(tmp_path: Path, name: str, start_method: str, posix: bool) -> tuple[dict[str, str], dict[str, str], str]:
    out = tmp_path / name / "site"
    script = tmp_path / "without_posix.py"
    script.write_text(_WITHOUT_POSIX, encoding="utf-8")
    refused = tmp_path / f"{name}.refused"
    refused.write_text("", encoding="utf-8")
    command = ([sys.executable, "-m", "generator"] if posix else [sys.executable, str(script)])
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "START_METHOD": start_method,
                   "REFUSED": str(refused), "SOURCE_DATE_EPOCH": "1764547200"}
    result = subprocess.run([*command, "build", str(CONTENT), "--out", str(out), "--workers", "2", "--quiet"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return _digest(out), _digest(out.with_name("datapackages")), refused.read_text(encoding="utf-8")


@pytest.mark.parametrize("start_method", ["spawn", "fork"])
def test_a_build_without_fcntl_and_resource_gives_the_bytes_of_a_posix_build(tmp_path: Path, start_method: str) -> None:
    """As on Windows: fcntl and resource cannot be imported, in the build's process or its workers."""
    site, packages, _ = _build(tmp_path, "posix", "fork", posix=True)
    site_without, packages_without, refused = _build(tmp_path, "without", start_method, posix=False)
    assert site_without == site and packages_without == packages
    assert len(site) > 700
    assert {line.split()[1] for line in refused.splitlines()} == {"started", "fcntl", "resource"}
    started = [line.split()[0] for line in refused.splitlines() if line.endswith(" started")]
    # Spawned, each worker runs the script's top again: the build and its two workers, without the modules.
    assert len(set(started)) == (3 if start_method == "spawn" else 1), refused


def test_the_generator_imports_without_posix_only_modules() -> None:
    code = ("import sys; sys.modules['fcntl'] = sys.modules['resource'] = None\n"
            "import generator, generator.build, generator.cli, generator.serve, generator.write, generator.parallel\n"
            "print('imported')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == "imported\n", result.stderr
