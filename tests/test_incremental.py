"""Incremental and parallel builds give exactly the bytes of a full build in one process."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.incremental import MANIFEST, MANIFEST_VERSION

from .conftest import CONTENT, ROOT


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _build(content: Path, folder: Path, **options) -> tuple[dict[str, str], dict[str, str], int]:  # noqa: ANN003
    result = build(content, folder / "site", packages_out=folder / "datapackages", **options)
    assert result.built
    return tree_digest(folder / "site"), tree_digest(folder / "datapackages"), result.programs_reused


def read_manifest(site: Path) -> dict[str, dict]:
    head, *lines = (site / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert json.loads(head)["version"] == MANIFEST_VERSION
    return {"": json.loads(head)} | {entry["id"]: entry for entry in map(json.loads, lines)}


def write_manifest(site: Path, entries: dict[str, dict]) -> None:
    """Back as the build writes it: the head, then a line per program, its fields in the build's order."""
    from generator.incremental import manifest_line

    lines = [json.dumps(entries[""])] + [
        manifest_line(key, entries[key]["key"], entries[key]["common"], entries[key]["routes"]).decode()
        for key in sorted(entries) if key]
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
    shared_index = site / "site" / "uk" / "search-index.js"
    shared_index_inode = shared_index.stat().st_ino

    tasks = content / "khmilnytska-2023-2025" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    assert text.count("Створення") >= 1
    tasks.write_text(text.replace("Створення", "Запровадження", 1), encoding="utf-8")
    incremental_site, incremental_data, reused = _build(content, site)
    assert reused == 4  # the four programs that did not change were left as they were, not rendered
    assert (site / "site" / "uk" / "khmilnytska-2023-2025" / "index.html").stat().st_ino != before
    assert unchanged.stat().st_ino == unchanged_inode  # the same file, not written again
    assert shared_index.stat().st_ino == shared_index_inode  # the same comparisons: the site's index is kept

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


@pytest.mark.parametrize("change", ["template", "catalogue", "base url", "search turned on", "search turned off",
                                    "offline copy"])
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
    elif change == "offline copy":  # links name files
        options["offline"] = True
    else:  # a program's page has a search form and an index only when the site is searchable
        options["search"] = not options["search"]
    after = _build(content, tmp_path / "out", **options)
    assert after[2] == 0
    assert after == _build(content, tmp_path / "fresh", incremental=False, **options)


def test_a_damaged_manifest_gives_a_full_build(content: Path, tmp_path: Path) -> None:
    """An update trusts its manifest no further than it can read all of it, and the files the
    all-programs package is joined from no further than it can check them: else the build starts afresh."""
    fresh = _build(content, tmp_path / "fresh", search=False, incremental=False)
    site = tmp_path / "out" / "site"
    manifest = site / MANIFEST
    for damage in ("not json", "a line cut short", "a line cut short in its routes", "no newline at the end",
                   "an empty file", "a problem that is not one",
                   "another version", "two lines for one program",
                   "no catalogue node", "an all-programs dataset that is not Turtle", "a program id that is a path",
                   "text after a line's common part", "a common part that is not UTF-8",
                   "a program's CSV deleted", "a program's zip deleted", "a program's CSV replaced"):
        _build(content, tmp_path / "out", search=False)
        data = tmp_path / "out" / "datapackages"
        if damage == "a program's CSV deleted":
            (data / "balakliiska-2025-2027" / "indicators.csv").unlink()
        elif damage == "a program's zip deleted":
            (data / "balakliiska-2025-2027.zip").unlink()
        elif damage == "a program's CSV replaced":
            (data / "balakliiska-2025-2027" / "tasks.csv").write_bytes(b"not,the,header\n")
        if "program's" in damage:  # the output changed by hand, not the manifest: the update finds out
            assert _build(content, tmp_path / "out", search=False) == fresh, damage
            continue
        lines = manifest.read_text(encoding="utf-8").splitlines()
        if damage == "not json":
            lines = ["{not json"]
        elif damage == "a line cut short":
            lines[1] = lines[1][: len(lines[1]) // 2]
        elif damage == "a line cut short in its routes":
            lines[2] = lines[2][:-5]
        elif damage in ("no newline at the end", "an empty file"):
            manifest.write_text("\n".join(lines) if damage == "no newline at the end" else "", encoding="utf-8")
            assert _build(content, tmp_path / "out", search=False) == fresh, damage
            continue
        elif damage == "a problem that is not one":
            entries = read_manifest(site)
            entries["khmilnytska-2023-2025"]["common"]["problems"][0][4] = [["value", {"not": "a value"}]]
            write_manifest(site, entries)
            lines = manifest.read_text(encoding="utf-8").splitlines()
        elif damage == "another version":
            lines[0] = lines[0].replace(f'"version":{MANIFEST_VERSION}', '"version":1')
        elif damage == "no catalogue node":
            head = json.loads(lines[0])
            del head["catalog"]
            lines[0] = json.dumps(head)
        elif damage == "an all-programs dataset that is not Turtle":
            head = json.loads(lines[0])
            head["all"] = [head["all"][0], {"not": "text"}]
            lines[0] = json.dumps(head)
        elif damage == "text after a line's common part":
            lines[1] = lines[1].replace(',"routes":{', ' x,"routes":{', 1)
        elif damage == "a common part that is not UTF-8":
            raw = manifest.read_bytes().split(b"\n")
            raw[1] = raw[1].replace(b'"common":{', b'"common":{"\xff":0,', 1)
            manifest.write_bytes(b"\n".join(raw))
            assert _build(content, tmp_path / "out", search=False) == fresh, damage
            continue
        elif damage == "a program id that is a path":
            lines.append(lines[1].replace('"id":"balakliiska-2025-2027"', '"id":"../../balakliiska-2025-2027"', 1))
        else:
            lines.insert(2, lines[1])
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert _build(content, tmp_path / "out", search=False) == fresh, damage  # nothing reused, the same bytes


def test_an_update_takes_out_what_lies_in_a_changed_programs_folders_and_nothing_outside(
        content: Path, tmp_path: Path) -> None:
    """A changed program's old files are those in its own folders, found there, not listed in the
    manifest: whatever was put there by hand goes too, links are taken out, not followed, and a name
    no build makes gives a full build."""
    out = tmp_path / "out"
    site = out / "site"
    victims = tmp_path / "victims"
    (victims / "folder").mkdir(parents=True)
    (victims / "file.txt").write_bytes(b"keep me")
    (victims / "folder" / "index.html").write_bytes(b"keep me too")
    tasks = content / "khmilnytska-2023-2025" / "tasks.yaml"
    planted = {"a link to a file in place of a page": ("uk/khmilnytska-2023-2025/index.html", "file link"),
               "a link to a folder in place of one": ("en/khmilnytska-2023-2025/tasks", "folder link"),
               "a link to a folder of its own": ("en/khmilnytska-2023-2025/elsewhere", "folder link"),
               "a file of its own": ("data/khmilnytska-2023-2025/notes.txt", "file"),
               "a file in place of a folder": ("datapackages/khmilnytska-2023-2025", "file"),
               "a name with a backslash": ("uk/khmilnytska-2023-2025/a\\b.html", "file"),
               "a name that is not UTF-8": ("uk/khmilnytska-2023-2025/\udcff.html", "file")}
    for what, (path, kind) in planted.items():
        _build(content, out, search=False)
        place = site / path
        if place.is_dir():
            shutil.rmtree(place)
        else:
            place.unlink(missing_ok=True)
        if kind == "file link":
            place.symlink_to(victims / "file.txt")
        elif kind == "folder link":
            place.symlink_to(victims / "folder", target_is_directory=True)
        else:
            place.write_bytes(b"put here by hand")
        tasks.write_text(tasks.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        fresh = _build(content, tmp_path / "fresh", search=False, incremental=False)
        updated = _build(content, out, search=False)
        assert updated[:2] == fresh[:2], what
        assert updated[2] == (0 if "name" in what else 4), what  # a full build, or the four others kept
        assert (victims / "file.txt").read_bytes() == b"keep me"
        assert (victims / "folder" / "index.html").read_bytes() == b"keep me too"
        assert not any(p.is_symlink() for p in site.rglob("*")), what

    manifest = read_manifest(site)
    manifest["nevidoma-hromada-2026-2028"]["common"]["dcat"] = {"not": "text"}
    write_manifest(site, manifest)
    assert _build(content, out, search=False) == fresh


@pytest.mark.parametrize("search", [False, True], ids=["without search", "with search"])
def test_an_update_removes_what_a_full_build_would_not_make(content: Path, tmp_path: Path, search: bool) -> None:
    """A program gone, another new, an indicator and its comparison page dropped: the same tree as a full build."""
    out = tmp_path / "out"
    _build(content, out, search=search)
    shutil.rmtree(content / "slobozhanska-2025-2027")
    shutil.copytree(CONTENT / "slobozhanska-2025-2027", content / "slobozhanska-2026-2028")
    program = content / "slobozhanska-2026-2028" / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("2025", "2026").replace("2027", "2028"),
                       encoding="utf-8")
    manifest = read_manifest(out / "site")
    users: dict[str, set[str]] = {}
    for program_id, entry in manifest.items():
        for code, *_ in entry["common"]["uses"] if program_id else ():
            users.setdefault(code, set()).add(program_id)
    # A code only balakliiska uses: its comparison page goes with it.
    dropped = min(code for code, ids in users.items() if ids == {"balakliiska-2025-2027"})
    indicators = content / "balakliiska-2025-2027" / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    text = text.replace(f"    catalogue: {dropped}\n", "", 1)
    assert text != indicators.read_text(encoding="utf-8")
    indicators.write_text(text, encoding="utf-8")
    comparison = out / "site" / "uk" / "indicators" / dropped / "index.html"
    assert comparison.is_file()
    result = build(content, out / "site", packages_out=out / "datapackages", search=search)
    assert not result.corpus.has_errors, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]
    assert result.programs_reused == 3
    assert not comparison.exists()
    updated = (tree_digest(out / "site"), tree_digest(out / "datapackages"))
    assert not any(path.startswith("uk/slobozhanska-2025-2027/") for path in updated[0])
    assert any(path.startswith("uk/slobozhanska-2026-2028/") for path in updated[0])
    assert updated == _build(content, tmp_path / "fresh", search=search, incremental=False)[:2]
    assert not [p for p in (out / "site").rglob("*") if p.is_dir() and not any(p.iterdir())]  # no empty folder left


def test_an_update_reports_the_problems_of_the_programs_it_did_not_check_again(content: Path, tmp_path: Path) -> None:
    full = build(content, tmp_path / "site", packages_out=tmp_path / "datapackages", incremental=False).corpus.problems
    again = build(content, tmp_path / "site", packages_out=tmp_path / "datapackages")
    assert again.programs_reused == 5
    assert len(full) > 50
    assert [(p, p.params, p.subject) for p in again.corpus.problems] == [(p, p.params, p.subject) for p in full]
    assert [p.as_text(lang) for p in again.corpus.problems for lang in ("uk", "en")] == \
        [p.as_text(lang) for p in full for lang in ("uk", "en")]


def test_an_update_leaves_the_pages_it_need_not_make_as_they_are(content: Path, tmp_path: Path) -> None:
    """The sitemap while no page comes or goes, and the comparison pages whose rows the change does not touch: a
    change to a program's tasks leaves even its own comparisons as they are (its home entry is made again)."""
    out = tmp_path / "out"
    _build(content, out, search=False)
    site = out / "site"
    uses = read_manifest(site)["kremenchutska-2026-2028"]["common"]["uses"]
    mine = {code for code, *_ in uses}
    others = sorted({p.parent.name for p in (site / "uk" / "indicators").glob("*/index.html")} - mine)
    assert mine and others
    inodes = {path: (site / path).stat().st_ino for path in
              ["sitemap.xml", f"uk/indicators/{others[0]}/index.html", f"uk/indicators/{sorted(mine)[0]}/index.html",
               "uk/index.html"]}
    tasks = content / "kremenchutska-2026-2028" / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _build(content, out, search=False)[2] == 4
    kept = {path for path, inode in inodes.items() if (site / path).stat().st_ino == inode}
    assert kept == {"sitemap.xml", f"uk/indicators/{others[0]}/index.html", f"uk/indicators/{sorted(mine)[0]}/index.html"}


def test_an_update_after_a_program_names_a_catalogue_code_updates_its_comparison_downloads_and_count(
        content: Path, tmp_path: Path) -> None:
    """Khmilnyk names no catalogue code; once one of its indicators does, the update adds its row to that
    comparison and its downloads, counts one more program on both lists of standard indicators, and
    leaves the comparisons it does not touch as they were: the bytes of a full build."""
    import csv
    import io

    import yaml

    out = tmp_path / "out"
    _build(content, out, search=False)
    site = out / "site"
    users: dict[str, set[str]] = {}
    for program_id, entry in read_manifest(site).items():
        for code, *_ in entry["common"]["uses"] if program_id else ():
            users.setdefault(code, set()).add(program_id)
    code = min(code for code, ids in users.items() if len(ids) == 2)
    untouched = next(c for c in sorted(users) if c != code)
    kept = {path: (site / path).stat().st_ino for path in
            [f"uk/indicators/{untouched}/index.html", f"data/indicators/{untouched}.csv"]}

    def counted(lang: str) -> str:
        page = (site / lang / "indicators" / "index.html").read_text(encoding="utf-8")
        item = page[page.index(f'<a href="{code}/">'):]
        return item[:item.index("</li>")]

    assert "· 2 програми</span>" in counted("uk") and "· 2 programs</span>" in counted("en")
    indicators = content / "khmilnytska-2023-2025" / "indicators.yaml"
    data = yaml.safe_load(indicators.read_text(encoding="utf-8"))
    assert not any("catalogue" in i for i in data["indicators"])
    data["indicators"][0]["catalogue"] = code
    indicators.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    updated = _build(content, out, search=False)
    assert updated[2] == 4
    assert "· 3 програми</span>" in counted("uk") and "· 3 programs</span>" in counted("en")
    for lang in ("uk", "en"):
        page = (site / lang / "indicators" / code / "index.html").read_text(encoding="utf-8")
        assert f'href="../../khmilnytska-2023-2025/indicators/{data["indicators"][0]["id"]}/"' in page
    rows = list(csv.DictReader(io.StringIO((site / "data" / "indicators" / f"{code}.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["program_id"] for r in rows) == sorted([*users[code], "khmilnytska-2023-2025"])
    listed = json.loads((site / "data" / "indicators" / f"{code}.json").read_text(encoding="utf-8"))["programs"]
    assert [r["program_id"] for r in listed] == [r["program_id"] for r in rows]
    assert {path for path, inode in kept.items() if (site / path).stat().st_ino == inode} == set(kept)
    assert updated[:2] == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]


def test_an_update_after_a_coded_indicators_target_changes_makes_its_comparison_again_and_only_it(
        content: Path, tmp_path: Path) -> None:
    """A new final target in one program moves its row on the comparison of that indicator's code: the update
    makes that comparison and its downloads again, with the new figure, and keeps the program's other
    comparisons as they were: the bytes of a full build."""
    import yaml

    out = tmp_path / "out"
    _build(content, out, search=False)
    site = out / "site"
    indicators = content / "kremenchutska-2026-2028" / "indicators.yaml"
    data = yaml.safe_load(indicators.read_text(encoding="utf-8"))
    coded = [i for i in data["indicators"] if i.get("catalogue") and i.get("targets")]
    changed, other = coded[0], next(i for i in coded[1:] if i["catalogue"] != coded[0]["catalogue"])
    files = {code: [f"uk/indicators/{code}/index.html", f"data/indicators/{code}.csv"]
             for code in (changed["catalogue"], other["catalogue"])}
    inodes = {path: (site / path).stat().st_ino for paths in files.values() for path in paths}
    last = max(changed["targets"])
    changed["targets"][last] = 987654
    indicators.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    updated = _build(content, out, search=False)
    assert updated[2] == 4
    kept = {path for path, inode in inodes.items() if (site / path).stat().st_ino == inode}
    assert kept == set(files[other["catalogue"]])
    assert "987654" in (site / files[changed["catalogue"]][1]).read_text(encoding="utf-8-sig")
    assert "987 654" in (site / files[changed["catalogue"]][0]).read_text(encoding="utf-8").replace("\u00a0", " ")
    assert updated[:2] == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]


def test_an_update_makes_the_sitemap_again_when_a_page_goes(content: Path, tmp_path: Path) -> None:
    import yaml

    out = tmp_path / "out"
    _build(content, out, search=False)
    indicators = content / "khmilnytska-2023-2025" / "indicators.yaml"
    data = yaml.safe_load(indicators.read_text(encoding="utf-8"))
    gone = data["indicators"].pop()["id"]
    indicators.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site, packages, reused = _build(content, out, search=False)
    assert reused == 4
    assert f"khmilnytska-2023-2025/indicators/{gone}/" not in (out / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert (site, packages) == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]


def test_a_build_after_an_update_killed_while_moving_starts_from_what_it_moved(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The killed update's journal is completed before the next build reads the manifest: the
    manifest is in the journal too, and the next build must remove what the killed one added."""
    import yaml

    import generator.write

    out = tmp_path / "out"
    _build(content, out, search=False)
    indicators = content / "khmilnytska-2023-2025" / "indicators.yaml"
    before = indicators.read_text(encoding="utf-8")
    data = yaml.safe_load(before)
    added = {**copy.deepcopy(data["indicators"][0]), "id": "added-indicator"}  # no YAML aliases
    data["indicators"].append(added)
    indicators.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    real = os.replace

    def killed(source, destination):  # noqa: ANN001, ANN202 - the build dies as it starts moving into site/
        if str(destination).startswith(f"{out / 'site'}/"):
            raise KeyboardInterrupt
        real(source, destination)

    monkeypatch.setattr(generator.write.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        _build(content, out, search=False)
    monkeypatch.setattr(generator.write.os, "replace", real)
    assert (out / ".site.journal").exists()
    indicators.write_text(before, encoding="utf-8")  # and the change undone before the next build
    after = _build(content, out, search=False)
    assert after[:2] == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]
    assert not any("added-indicator" in path for path in after[0])


def test_an_update_killed_while_moving_its_files_in_is_completed_by_the_next_build(tmp_path: Path) -> None:
    from generator.write import OutputFolder

    site = tmp_path / "site"
    with OutputFolder(site) as out:
        for path in ("uk/a/index.html", "uk/b/index.html", "uk/old/index.html"):
            out.write(path, b"before")
        out.commit()
    update = OutputFolder(site, update=True)
    with update as out:
        out.write("uk/a/index.html", b"after")
        out.write("uk/new/deeper/index.html", b"new")
        out.remove("uk/old/index.html")
        with pytest.raises(ValueError):
            out.remove("uk/../../elsewhere")
        assert out.current("uk/a/index.html") == f"{out.staging}/uk/a/index.html"
        assert out.current("uk/b/index.html") == f"{site}/uk/b/index.html"
        real = os.replace
        moved = []

        def killed(source, destination):  # noqa: ANN001, ANN202 - the process dies after the first move
            if moved:
                raise KeyboardInterrupt
            moved.append(destination)
            real(source, destination)

        os.replace = killed
        try:
            with pytest.raises(KeyboardInterrupt):
                out.commit()
        finally:
            os.replace = real
    assert update.journal.exists() and update.staging.exists()  # half moved: the journal says what is left
    with OutputFolder(site) as out:  # the next build completes it first
        assert not update.journal.exists()
        assert (site / "uk" / "a" / "index.html").read_bytes() == b"after"
        assert (site / "uk" / "new" / "deeper" / "index.html").read_bytes() == b"new"
        assert (site / "uk" / "b" / "index.html").read_bytes() == b"before"
        assert not (site / "uk" / "old").exists()
        out.write("uk/index.html", b"x")
        out.commit()
    update.journal.write_text('{"move": ["../outside"], "remove": ["../../victim"]}', encoding="utf-8")
    (tmp_path / "victim").write_bytes(b"keep")
    with OutputFolder(site, update=True) as out:
        out.commit()
    assert (tmp_path / "victim").read_bytes() == b"keep"

    # A link planted where the output has a folder: nothing is written or removed through it.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "a").mkdir(parents=True)
    (elsewhere / "a" / "index.html").write_bytes(b"not the site's")
    shutil.rmtree(site / "uk")
    (site / "uk").symlink_to(elsewhere)
    with OutputFolder(site, update=True) as out:
        out.write("uk/a/index.html", b"after")
        out.remove("uk/b/index.html")
        out.commit()
    assert (elsewhere / "a" / "index.html").read_bytes() == b"not the site's"
    assert not (site / "uk").is_symlink() and (site / "uk" / "a" / "index.html").read_bytes() == b"after"

    # A file of the update where the output had a folder, and the other way round: each takes the other's place.
    with OutputFolder(site, update=True) as out:
        out.write("uk/a", b"a file now")
        out.remove("uk/a/index.html")
        out.write("uk/c/index.html", b"in a folder now")
        out.commit()
    assert (site / "uk" / "a").read_bytes() == b"a file now"
    shutil.rmtree(site / "uk" / "c")
    (site / "uk" / "c").write_bytes(b"a file where a folder goes")
    with OutputFolder(site, update=True) as out:
        out.write("uk/c/index.html", b"in a folder now")
        out.commit()
    assert (site / "uk" / "c" / "index.html").read_bytes() == b"in a folder now"


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


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The programs whose files a build reads to know whether they changed, in the order it reads them."""
    import generator.incremental

    hashed: list[str] = []
    program_key = generator.incremental.program_key
    monkeypatch.setattr(generator.incremental, "program_key",
                        lambda folder, *rest: hashed.append(folder.name) or program_key(folder, *rest))
    return hashed


def test_a_program_whose_files_look_as_they_did_is_not_read_again(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamps (names, sizes, times, inodes) stand in for reading a program's files, as git's index
    does; a write always changes the ctime, so an edit that keeps the size and the mtime still shows.
    They are kept beside the output, not in it, which is the same bytes wherever it is built."""
    time.sleep(2.1)  # files changed in the last two seconds could change again unseen: never trusted
    hashed = _counting_reads(monkeypatch)
    out = tmp_path / "out"
    first = _build(content, out, search=False)
    assert len(hashed) == 5
    stamps = out / ".site.stamps"
    assert stamps.is_file() and not any(".stamps" in p.name for p in (out / "site").rglob("*"))

    hashed.clear()
    assert _build(content, out, search=False) == (*first[:2], 5)
    assert hashed == []  # every stamp as recorded: no file read for a key

    recorded = stamps.read_bytes()
    stamps.write_bytes(recorded[: len(recorded) // 2])  # damaged: not stamps this build can trust
    hashed.clear()
    assert _build(content, out, search=False) == (*first[:2], 5)
    assert len(hashed) == 5  # every program read for its key, and nothing made again
    assert stamps.read_bytes() == recorded

    stamps.unlink()
    stamps.mkdir()  # the stamps cannot be written: only a cache, the build goes on
    assert _build(content, out, search=False) == (*first[:2], 5)
    stamps.rmdir()
    assert _build(content, out, search=False) == (*first[:2], 5)

    # The same length, the same mtime (as `touch -r` or an unpacked archive would leave it).
    time.sleep(2.1)
    tasks = content / "khmilnytska-2023-2025" / "tasks.yaml"
    times = tasks.stat()
    text = tasks.read_text(encoding="utf-8")
    assert "Створення" in text
    tasks.write_text(text.replace("Створення", "Створенню", 1), encoding="utf-8")
    assert tasks.stat().st_size == times.st_size and tasks.read_text(encoding="utf-8") != text
    os.utime(tasks, ns=(times.st_atime_ns, times.st_mtime_ns))
    hashed.clear()
    updated = _build(content, out, search=False)
    assert hashed == ["khmilnytska-2023-2025"]
    assert updated[2] == 4
    assert updated[:2] == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]

    # Touched, not changed: the key is the same, nothing is made again, and the new stamp is kept.
    os.utime(content / "balakliiska-2025-2027" / "program.yaml", ns=(times.st_atime_ns, times.st_mtime_ns + 1))
    time.sleep(2.1)
    hashed.clear()
    assert _build(content, out, search=False)[2] == 5
    assert hashed == ["balakliiska-2025-2027", "khmilnytska-2023-2025"]  # the edit's stamp came after the wait
    hashed.clear()
    assert _build(content, out, search=False)[2] == 5
    assert hashed == []


def test_a_program_changed_a_moment_ago_is_read_again_by_the_next_build(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed within the file system's clock tick, a file could change again and keep its times:
    a program with a file that new is read again by the next build."""
    hashed = _counting_reads(monkeypatch)
    out = tmp_path / "out"
    _build(content, out, search=False)  # the content was copied a moment ago
    hashed.clear()
    assert _build(content, out, search=False)[2] == 5
    assert sorted(hashed) == sorted(p.name for p in content.iterdir() if (p / "program.yaml").is_file())


def _compiled_templates(temporary: Path) -> dict[Path, tuple[int, int, bytes]]:
    """The templates' compiled code that builds left in the temporary folder: each file's time, inode and bytes."""
    return {path: (path.stat().st_mtime_ns, path.stat().st_ino, path.read_bytes())
            for path in sorted(temporary.rglob("*")) if path.is_file()}


def test_templates_are_compiled_once_and_loaded_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build loads the templates' code that an earlier build compiled (no cache file written again), and
    makes the same bytes. A damaged cache, a full disk, an edited template or no cache to be had means
    compiling, never a failed build; a copy of the templates elsewhere (another checkout) shares the code."""
    import errno
    import tempfile

    from jinja2.bccache import bc_magic

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # a cache of this test's own

    def built(name: str, **options: object) -> tuple[dict[str, str], dict[str, str], int]:
        return _build(CONTENT, tmp_path / name, workers=1, incremental=False, **options)

    first = built("first")
    files = _compiled_templates(temporary)
    assert len(files) >= len(list((ROOT / "templates").glob("*.html"))) - 1  # every page template, and the macros
    (folder,) = {path.parent for path in files}
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)  # the user's alone

    assert built("second") == first
    assert _compiled_templates(temporary) == files  # loaded, not compiled and written again

    for index, path in enumerate(files):  # not what Jinja wrote; its checksum's pickle broken; cut short
        data = path.read_bytes()
        path.write_bytes([b"garbage", bc_magic + b"\x80\x02X\xff\xff\xff\x7f", data[:len(data) // 2]][index % 3])
    assert built("damaged") == first
    assert {path: data for path, (_, _, data) in _compiled_templates(temporary).items()} == \
        {path: data for path, (_, _, data) in files.items()}  # compiled again, each to the same code

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    for path in files:
        path.unlink()
    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "NamedTemporaryFile", full_disk)  # how Jinja writes a cache file
        patch.setattr(tempfile, "mkstemp", full_disk)
        assert built("full disk") == first
        assert _compiled_templates(temporary) == {}
    built("again")
    files = _compiled_templates(temporary)
    assert len(files) >= 5

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    copied = _build(CONTENT, tmp_path / "copied", workers=1, incremental=False, templates=templates)
    assert copied == first and _compiled_templates(temporary) == files  # their code, nothing written
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>edited</p></body>", 1), encoding="utf-8")
    edited = _build(CONTENT, tmp_path / "edited", workers=1, incremental=False, templates=templates)
    now = _compiled_templates(temporary)
    written = [path for path in now if now[path] != files.get(path)]
    # base.html, compiled again in each language (each has its words written in); nothing else
    assert len(written) == 2 and all(now[path] == files[path] for path in files if path in now and path not in written)
    assert "<p>edited</p>" in (tmp_path / "edited" / "site" / "uk" / "index.html").read_text(encoding="utf-8")
    assert edited[1] == first[1]

    (tmp_path / "file").write_bytes(b"")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "file"))  # no folder to be had for a cache
    assert built("no cache") == first


@pytest.mark.parametrize("incremental", [False, True], ids=["full build killed", "update killed"])
def test_a_build_killed_between_committing_the_packages_and_the_site_is_not_trusted_after(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, incremental: bool) -> None:
    """datapackages/ is put in place before site/, so a build killed between the two leaves the new
    packages beside the old site and its manifest. The next build must not take the packages for what
    that manifest says they are: it gives what a full build gives."""
    from generator.incremental import committing_file
    from generator.write import OutputFolder

    out = tmp_path / "out"
    _build(content, out, search=False)
    tasks = content / "khmilnytska-2023-2025" / "tasks.yaml"
    before = tasks.read_text(encoding="utf-8")
    tasks.write_text(before.replace("Створення", "Запровадження", 1), encoding="utf-8")
    real = OutputFolder.commit

    def killed(folder: OutputFolder) -> None:  # the build dies once datapackages/ is in place
        if folder.target == (out / "site").absolute():
            raise KeyboardInterrupt
        real(folder)

    monkeypatch.setattr(OutputFolder, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        build(content, out / "site", packages_out=out / "datapackages", search=False, incremental=incremental)
    monkeypatch.setattr(OutputFolder, "commit", real)
    assert committing_file(out / "site").exists()
    tasks.write_text(before, encoding="utf-8")  # the change undone: the site's manifest says these sources
    after = _build(content, out, search=False)
    assert after[:2] == _build(content, tmp_path / "fresh", search=False, incremental=False)[:2]
    assert after[2] == 0 and not committing_file(out / "site").exists()  # a full build, and done
    assert _build(content, out, search=False)[2] == 5  # the next one an update again
