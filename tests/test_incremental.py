"""Incremental and parallel builds give exactly the bytes of a full build in one process."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from generator.build import MANIFEST, MANIFEST_VERSION, build

from .conftest import CONTENT


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _build(content: Path, folder: Path, **options) -> tuple[dict[str, str], dict[str, str], int]:  # noqa: ANN003
    result = build(content, folder / "site", packages_out=folder / "datapackages", **options)
    assert result.built
    return tree_digest(folder / "site"), tree_digest(folder / "datapackages"), result.programs_reused


def read_manifest(site: Path) -> dict[str, dict]:
    head, *lines = (site / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert json.loads(head) == {"version": MANIFEST_VERSION}
    return {entry["id"]: entry for entry in map(json.loads, lines)}


def write_manifest(site: Path, entries: dict[str, dict]) -> None:
    lines = [json.dumps({"version": MANIFEST_VERSION}), *(json.dumps(entries[key]) for key in sorted(entries))]
    (site / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def test_an_incremental_build_after_a_change_equals_a_full_build(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "incremental"
    _, _, reused = _build(content, site)
    assert reused == 0
    before = (site / "site" / "uk" / "khmilnytska-2023-2025" / "index.html").stat().st_ino
    unchanged = site / "site" / "uk" / "balakliiska-2025-2027" / "index.html"
    unchanged_inode = unchanged.stat().st_ino

    tasks = content / "khmilnytska-2023-2025" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    assert text.count("Створення") >= 1
    tasks.write_text(text.replace("Створення", "Запровадження", 1), encoding="utf-8")
    incremental_site, incremental_data, reused = _build(content, site)
    assert reused == 4  # the four programs that did not change were linked, not rendered
    assert (site / "site" / "uk" / "khmilnytska-2023-2025" / "index.html").stat().st_ino != before
    assert unchanged.stat().st_ino == unchanged_inode  # the same file, linked into the new tree
    assert unchanged.stat().st_nlink == 1  # and the previous tree that also held it is gone

    full_site, full_data, reused = _build(content, tmp_path / "full", incremental=False, workers=1)
    assert reused == 0
    assert incremental_site == full_site  # with the search index and the manifest
    assert incremental_data == full_data
    changed = [path for path in full_site if path.startswith("uk/khmilnytska-2023-2025/tasks/")]
    assert any("Запровадження" in (site / "site" / path).read_text(encoding="utf-8") for path in changed)


def test_parallel_workers_give_the_same_bytes_as_one_process(content: Path, tmp_path: Path) -> None:
    one = _build(content, tmp_path / "one", workers=1, search=False)
    three = _build(content, tmp_path / "three", workers=3, search=False)
    assert one == three


@pytest.mark.parametrize("change", ["template", "catalogue", "base url", "search turned on", "search turned off"])
def test_a_change_every_program_depends_on_renders_every_program_again(
        content: Path, tmp_path: Path, change: str) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(CONTENT.parent / "templates", templates)
    options = {"templates": templates, "search": change == "search turned off", "base_url": "/"}
    _build(content, tmp_path / "out", **options)
    if change == "template":
        footer = templates / "base.html"
        footer.write_text(footer.read_text(encoding="utf-8").replace("</footer>", "<p>changed</p></footer>", 1),
                          encoding="utf-8")
    elif change == "catalogue":
        catalogue = content / "catalogue.yaml"
        catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "base url":
        options["base_url"] = "/elsewhere/"
    else:  # a program's page has a search form and an index only when the site is searchable
        options["search"] = not options["search"]
    after = _build(content, tmp_path / "out", **options)
    assert after[2] == 0
    assert after == _build(content, tmp_path / "fresh", incremental=False, **options)


def test_a_hand_damaged_previous_output_is_rendered_again_not_trusted(content: Path, tmp_path: Path) -> None:
    _build(content, tmp_path / "out", search=False)
    (tmp_path / "out" / "datapackages" / "balakliiska-2025-2027.zip").unlink()
    manifest = tmp_path / "out" / "site" / MANIFEST
    damaged = tree_digest(tmp_path / "out" / "site")
    site, data, reused = _build(content, tmp_path / "out", search=False)
    assert reused == 4  # every program but the one whose file went missing
    assert (site, data, 0) == _build(content, tmp_path / "fresh", search=False, incremental=False)
    assert site[MANIFEST] == damaged[MANIFEST]

    manifest.write_text("{not json", encoding="utf-8")
    assert _build(content, tmp_path / "out", search=False)[2] == 0  # an unreadable manifest: a full build

    lines = manifest.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][: len(lines[1]) // 2]  # one program's line cut short
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    site, data, reused = _build(content, tmp_path / "out", search=False)
    assert reused == 4  # that program rendered again, the others carried
    assert (site, data, 0) == _build(content, tmp_path / "fresh", search=False, incremental=False)


def test_a_tampered_previous_output_cannot_bring_in_other_files(content: Path, tmp_path: Path) -> None:
    """A manifest and files planted in the previous output: nothing from outside gets linked into the site."""
    out = tmp_path / "out"
    _build(content, out, search=False)
    site = out / "site"
    manifest = read_manifest(site)
    program = "balakliiska-2025-2027"
    entry = manifest[program]
    # a page of the program replaced by a link to a file outside, of the recorded size
    page = next(f for f in entry["files"] if f[1].endswith("index.html"))
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"x" * page[2])
    (site / page[1]).unlink()
    (site / page[1]).symlink_to(secret)
    # another program's entry pointing outside the output and at a shared page
    other = manifest["khmilnytska-2023-2025"]
    other["files"].append(["site", "uk/khmilnytska-2023-2025/../../../../secret.txt", page[2]])  # inside, then out
    kremenchuk = manifest["kremenchutska-2026-2028"]
    kremenchuk["files"].append(["site", "index.html", 1])
    manifest["slobozhanska-2025-2027"]["files"] = "not a list"
    write_manifest(site, manifest)

    tampered = _build(content, out, search=False)
    assert tampered[2] == 1  # only the untouched program was linked
    assert tampered == (*_build(content, tmp_path / "fresh", search=False, incremental=False)[:2], 1)
    assert not any(p.is_symlink() for p in site.rglob("*"))

    # a program's dataset in the catalogue that is not Turtle text: that program is made again
    manifest = read_manifest(site)
    manifest["nevidoma-hromada-2026-2028"]["dcat"] = {"not": "text"}
    write_manifest(site, manifest)
    assert _build(content, out, search=False)[2] == 4
    assert (site / "catalog.ttl").read_bytes() == (tmp_path / "fresh" / "site" / "catalog.ttl").read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_program_writing_outside_its_own_folders_fails_the_build(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """Each program's files must lie in its own folders: else one program could overwrite another's."""
    import generator.export

    out = tmp_path / "out"
    before = _build(content, out, search=False)
    downloads = generator.export.downloads

    def straying(program):  # noqa: ANN001, ANN202
        yield from downloads(program)
        if program.id == "khmilnytska-2023-2025":
            yield "data/balakliiska-2025-2027/extra.csv", lambda: b"x"

    monkeypatch.setattr(generator.export, "downloads", straying)
    with pytest.raises(ValueError, match="khmilnytska-2023-2025"):
        build(content, out / "site", packages_out=out / "datapackages", search=False, incremental=False,
              workers=workers)
    assert (tree_digest(out / "site"), tree_digest(out / "datapackages")) == before[:2]  # untouched


def test_carrying_a_file_from_the_previous_output_refuses_what_it_cannot_check(tmp_path: Path) -> None:
    from generator.write import OutputFolder

    previous = tmp_path / "previous"
    (previous / "uk").mkdir(parents=True)
    (previous / "uk" / "page.html").write_bytes(b"12345")
    (tmp_path / "outside.html").write_bytes(b"12345")
    (previous / "uk" / "link.html").symlink_to(tmp_path / "outside.html")
    with OutputFolder(tmp_path / "site") as out:
        for relative, size in [("uk/../../outside.html", 5), ("uk//page.html", 5), ("./uk/page.html", 5),
                               ("/uk/page.html", 5), ("uk/link.html", 5), ("uk/page.html", 4), ("uk/gone.html", 5)]:
            with pytest.raises((ValueError, OSError)):
                out.carry(relative, str(previous), size)
            out.claim(relative)  # nothing was claimed by the refusal, or this would raise
            out.forget(relative)
        out.carry("uk/page.html", str(previous), 5)
        assert (out.staging / "uk" / "page.html").stat().st_ino == (previous / "uk" / "page.html").stat().st_ino
        with pytest.raises(ValueError):
            out.carry("uk/page.html", str(previous), 5)  # twice
        out.drop("uk/page.html")
        assert not (out.staging / "uk" / "page.html").exists()
        out.carry("uk/page.html", str(previous), 5)
        out.commit()
    assert (tmp_path / "site" / "uk" / "page.html").read_bytes() == b"12345"
