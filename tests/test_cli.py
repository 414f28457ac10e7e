"""The validator as a clerk and a CI job run it: a real process, its output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import CONTENT, ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_real_content_validates_with_warnings_and_exit_0() -> None:
    result = run("validate", "content/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[change-mismatch]" in result.stdout and "попередження:" in result.stdout
    assert result.stdout.rstrip().endswith("0 помилок, 100 попереджень у 9 файлах")
    assert result.stderr == ""


def test_english_messages() -> None:
    result = run("validate", str(CONTENT), "--lang", "en")
    assert "content/kremenchutska-2026-2028/tasks.yaml:567:16: warning: the total of the row 'hromada budget': " \
        "the document states 49, but its parts add up to 50 (difference -1)." in result.stdout
    assert result.stdout.rstrip().endswith("0 errors, 100 warnings in 9 files")


def test_errors_exit_1_and_every_problem_is_reported(minimal_content: Path) -> None:
    tasks = minimal_content / "testova-2025-2027" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    text = text.replace("priority: online-services", "priority: nowhere")
    text = text.replace('total: "150,5"', "total: Так")
    tasks.write_text(text, encoding="utf-8")
    result = run("validate", str(minimal_content), "--lang", "en")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(":12:16: error: 'Так' is not an amount" in line for line in lines)
    assert any(":22:15: error: there is no priority direction 'nowhere'" in line for line in lines)
    assert lines[-1] == "2 errors, 0 warnings in 1 file"


def test_json_format(minimal_content: Path) -> None:
    (minimal_content / "testova-2025-2027" / "tasks.yaml").write_text("tasks: [\n", encoding="utf-8")
    result = run("validate", str(minimal_content), "--format", "json", "--lang", "en")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert {p["code"] for p in problems} == {"yaml-syntax"}
    assert set(problems[0]) == {"path", "line", "column", "severity", "code", "message"}


def test_github_annotations(minimal_content: Path) -> None:
    indicators = minimal_content / "testova-2025-2027" / "indicators.yaml"
    indicators.write_text(indicators.read_text(encoding="utf-8").replace('change: "+27"', 'change: "+30"'), encoding="utf-8")
    result = run("validate", str(minimal_content), "--github")
    assert result.returncode == 0
    line = result.stdout.splitlines()[0]
    assert line.startswith("::warning file=")
    assert ",line=21,col=13,title=change-mismatch::" in line


def test_bad_usage_exits_2() -> None:
    assert run("validate", "--lang", "fr").returncode == 2
    assert run("validate", "no-such-folder").returncode == 2
    assert run("frobnicate").returncode == 2


def test_a_base_url_that_cannot_be_served_is_refused_before_anything_is_written(minimal_content: Path,
                                                                                tmp_path: Path) -> None:
    """A mistyped --base-url would give canonical addresses, a sitemap and a catalogue nobody can open."""
    site = tmp_path / "site"
    for url, says in (("example.org/repo/", "must begin with / or with https://"),
                      ("https://example.org/a b/", "' ' written as a code (a space as %20"),
                      ("/repo/?x=1", "no ? or #"), ("javascript:alert(1)", "must begin with /")):
        result = run("build", str(minimal_content), "--out", str(site), "--base-url", url, "--lang", "en")
        assert result.returncode == 2, (url, result.stderr)
        assert result.stderr.startswith(f"python -m generator build: --base-url '{url}': ") and says in result.stderr
        assert "Traceback" not in result.stderr and not site.exists()
    ukrainian = run("build", str(minimal_content), "--out", str(site), "--base-url", "example.org")
    assert "адреса має починатися з / або з https://" in ukrainian.stderr and ukrainian.returncode == 2
    for url in ("/repo/", "https://example.org/%D1%80%D0%B5%D0%BF%D0%BE", "http://localhost:8000/"):
        result = run("build", str(minimal_content), "--out", str(site), "--base-url", url, "--no-search", "--quiet")
        assert result.returncode == 0, (url, result.stderr)
    assert '<link rel="canonical" href="http://localhost:8000/uk/">' in (site / "uk" / "index.html").read_text(
        encoding="utf-8")


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("hromada-programs")
    result = subprocess.run([str(script), "validate", str(CONTENT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0


def test_an_offline_copy_is_built_from_the_command_line(minimal_content: Path, tmp_path: Path) -> None:
    """`build --offline` gives a copy whose links name each page's file; a plain build links folders."""
    for flags, link in (((), 'href="testova-2025-2027/"'), (("--offline",), 'href="testova-2025-2027/index.html"')):
        out = tmp_path / ("offline" if flags else "published")
        result = run("build", str(minimal_content), "--out", str(out), "--quiet", "--no-search", *flags)
        assert result.returncode == 0, result.stdout + result.stderr
        assert link in (out / "uk" / "index.html").read_text(encoding="utf-8")
