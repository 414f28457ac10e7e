"""Incremental-rebuild bookkeeping: each program's key and stamp, and the manifest of the last build.

A program's pages, downloads and package depend only on its own folder and on what every program
shares (the generator, templates, catalogue, site settings, base URL, data date, search and offline): hashed into
its key. A program whose key is the one in the previous build's manifest is not rendered again.
Its files are not even read for the key while their stamp (names, sizes, times, inodes) is the one
recorded with it, as git trusts its index. The manifest (``site/.build-manifest.jsonl``, a line per
program) keeps what the pages that list every program need of each, so that they can be joined again
without rendering the programs that did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
import zlib
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Container, Iterable, Iterator

from . import export
from .datapackage import TABLES
from .model import LANGS, PROGRAM_ID, Text
from .problems import Problem
from .validate import program_folders
from .write import OutputFolder, UnsafeOutputPath, safe_relative


# A line of {"version", "shared", "catalog", "all", "common"}, then one per program, by id.
MANIFEST = ".build-manifest.jsonl"
MANIFEST_VERSION = 10
GENERATOR = Path(__file__).resolve().parent


def digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _tree(folder: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file (or link, or other non-folder) under ``folder``, as (path relative to it, entry); links not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from _tree(entry.path, f"{prefix}{entry.name}/")
            else:
                yield f"{prefix}{entry.name}", entry


Listing = list[tuple[str, str, os.stat_result]]  # (path relative to the folder, path, its lstat), in order


def _listing(folder: Path) -> Listing:
    """Every file (or link, or other non-folder) under ``folder``, sorted; links not followed."""
    return [(relative, entry.path, entry.stat(follow_symlinks=False)) for relative, entry in sorted(_tree(str(folder)))]


def _tree_digest(listing: Listing, hasher: Any) -> None:  # noqa: ANN401 - a hashlib object
    """Feed ``hasher`` each listed file in order: its path and bytes; a link: where it points.

    Files are read in blocks, never whole, and nothing but plain files is opened (a key is made
    before the content is checked, and content is untrusted).
    """
    for relative, path, info in listing:
        hasher.update(b"\0" + relative.encode("utf-8", "surrogateescape") + b"\0")
        if stat.S_ISLNK(info.st_mode):
            hasher.update(b"link " + os.fsencode(os.readlink(path)))
        elif stat.S_ISREG(info.st_mode):
            hasher.update(info.st_size.to_bytes(8, "big"))
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            try:
                while block := os.read(descriptor, 1 << 20):
                    hasher.update(block)
            finally:
                os.close(descriptor)
        else:
            hasher.update(b"other")


def shared_key(content: Path, templates: Path, base_url: str, date: str | None, search: bool,
               offline: bool = False) -> str:
    """What every program's pages depend on besides the program itself (with search, a program's
    page has a search form and the program an index; in an offline copy, links name files)."""
    hasher = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    _tree_digest(_listing(templates), hasher)
    # The catalogue, and the site's settings (every page's header and footer show them).
    shared_files = [content / "catalogue.yaml", content / "site.yaml"]
    hasher.update(digest(*(path.read_bytes() if path.is_file() and not path.is_symlink() else b""
                           for path in shared_files),
                          base_url.encode(), (date or "").encode(), b"search" if search else b"",
                          b"offline" if offline else b"").encode())
    return hasher.hexdigest()


def program_key(folder: Path, shared: str, listing: Listing | None = None) -> str:
    """A program's pages, downloads and package change only when this changes."""
    hasher = hashlib.sha256(shared.encode())
    _tree_digest(_listing(folder) if listing is None else listing, hasher)
    return hasher.hexdigest()


# A file changed this recently may change again within one tick of the file system's clock
# (a few ms), and keep its times: its program gets no stamp, and is read again next time.
RECENT_NS = 2_000_000_000


def program_stamp(listing: Listing, now_ns: int) -> str | None:
    """What the file system says of a program's files: their names, types, sizes, times and inodes.

    As git trusts its index: while a program's stamp is the one recorded with its key, its files
    are those that were read for the key. A write changes a file's ctime, which no program can
    set back, so an edit that keeps the size and restores the mtime still shows. None while a
    file is newer than RECENT_NS.
    """
    hasher = hashlib.sha256()
    for relative, _, info in listing:
        if max(info.st_ctime_ns, info.st_mtime_ns) > now_ns - RECENT_NS:
            return None
        hasher.update(f"\0{relative}\0{info.st_mode} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} "
                      f"{info.st_ino} {info.st_dev}".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def program_keys(content: Path, shared: str,
                 known: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each program's key, and its [stamp, key] where it has a stamp, by id. A program whose stamp
    is ``known`` keeps the key known with it, its files unread."""
    now = time.time_ns()  # before any file is looked at: a file written after this is never stamped
    keys: dict[str, str] = {}
    stamps: dict[str, list[str]] = {}
    for folder in program_folders(content)[0]:
        listing = _listing(folder)  # looked at once, for the stamp and, if need be, the key
        stamp = program_stamp(listing, now)
        old = known.get(folder.name)
        keys[folder.name] = (old[1] if stamp is not None and old and old[0] == stamp
                             else program_key(folder, shared, listing))
        if stamp is not None:
            stamps[folder.name] = [stamp, keys[folder.name]]
    return keys, stamps


def committing_file(output: Path) -> Path:
    """Beside the output, there while a build puts its two outputs in place, datapackages/ then site/.

    Each folder is swapped in whole (or moved in under its journal), but not both at once: a build
    killed between the two leaves new packages beside the old site and its manifest, each looking
    whole. Finding this file, the next build starts from scratch instead of taking the packages for
    what the manifest says they are (it would join the all-programs package from them).
    """
    return output.with_name(f".{output.name}.committing")


def stamps_file(output: Path) -> Path:
    """Beside the output, not in it, as its lock and journal are: a stamp holds inodes and times,
    which differ from machine to machine, and the output is the same bytes wherever it is built."""
    return output.with_name(f".{output.name}.stamps")


def read_stamps(output: Path, shared: str) -> dict[str, list[str]]:
    """The stamps the last build recorded with its keys (see program_keys); none if it was built
    with other templates, catalogue or base URL, or the file is not one a build wrote."""
    try:
        data = export.json_value(stamps_file(output).read_bytes())
        stamps = data["programs"]
        if data["shared"] != shared or not all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(h, str) and HEX64.fullmatch(h) for h in pair)
                for pair in stamps.values()):
            return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return stamps


def write_stamps(output: Path, shared: str, stamps: dict[str, list[str]]) -> None:
    """After the output is in place. Only a cache: if it cannot be written, the next build reads every program."""
    path = stamps_file(output)
    pending = path.with_name(path.name + ".new")
    try:
        pending.write_text(json.dumps({"shared": shared, "programs": stamps}, sort_keys=True), encoding="utf-8")
        os.replace(pending, path)
    except OSError:  # the stamps of an earlier build, if any, are still true: each pairs files with their key
        with suppress(OSError):
            pending.unlink(missing_ok=True)


HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Unit:
    """What a worker made of one program: its manifest line, and what the site's common pages need of it."""
    program_id: str
    line: bytes  # its manifest line but for the head (see manifest_line), packed
    common: bytes  # packed (see ProgramPart)
    routes: bytes  # its pages' routes by language, packed (for the sitemap)


def _json(value: object) -> bytes:
    return export.compact_json(value, sort_keys=True)


def manifest_line(program_id: str, key: str, common: dict[str, Any], routes: dict[str, list[str]]) -> bytes:
    """``{"id", "key", "common", "routes"}``, in that order, so that a build can read the head and
    the common part without reading the routes, most of the line (see Previous).

    Not the program's files: they are what lies in its own folders (see own_paths), which an update
    lists when it takes them out. Listed here, they were half the manifest (60 of 116 MB with search).
    """
    return manifest_head(program_id, key) + manifest_tail(common, routes)


def manifest_head(program_id: str, key: str) -> bytes:
    """What the main process knows of a program before it is rendered, or if it is not."""
    return b'{"id":' + _json(program_id) + b',"key":' + _json(key) + b","


def manifest_tail(common: dict[str, Any], routes: dict[str, list[str]]) -> bytes:
    """What its worker makes."""
    return b'"common":' + _json(common) + b',"routes":' + _json(routes) + b"}"


def sealed(program_id: str, common: dict[str, Any], routes: dict[str, list[str]],
           files: list[tuple[str, str, int]]) -> Unit:
    """A program's unit, checked and packed by the worker that made it.

    Its files must lie in its own folders, else one program could overwrite another's, and an
    update that takes a program's files out by its folders would miss some. Then the
    main process gets bytes: at national size, the lists of 475,000 paths and 247,000 routes
    were the build's peak of memory.
    """
    own = own_paths(program_id)
    if not all(path.startswith(own[tree]) for tree, path, _ in files):
        raise UnsafeOutputPath(f"{program_id}: a file outside its own folders")
    common["tally"] = [sum(path.endswith(".html") for _, path, _ in files), sum(tree == "site" for tree, _, _ in files),
                       sum(size for _, _, size in files)]
    return Unit(program_id, packed_bytes(manifest_tail(common, routes)), packed(common), packed(routes))


class ManifestDamaged(ValueError):
    """The previous manifest cannot be trusted: the build starts from scratch."""


@dataclass
class ProgramPart:
    """What the site's common pages need of a program, as its worker made it (kept in the manifest)."""
    rows: dict[str, int]  # in each table of its data package
    dcat: str  # its dataset in the DCAT catalogue, as Turtle
    source: dict[str, str]  # its document, in the all-programs package's sources
    home: list[str]  # its entry on the home page, by language (LANGS order)
    root_home: str  # its entry on the Ukrainian home page served at the site's root, which links from there
    oblast: dict[str, str] | None  # its hromada's oblast (a Text), by which a long home page groups it
    hromada: dict[str, str] | None  # its hromada's name (a Text), for the comparisons' downloads
    names: list[str]  # its hromada's name as shown, by language, by which the home page orders it
    uses: list[list[str]]  # [code, row as JSON text] for each indicator on a comparison page (see compare.program_uses)
    tally: list[int]  # its pages, its files in the site, the bytes of its files
    problems: list[list[Any]]  # Problem.plain, relative to its folder
    zip: dict[str, list[int]]  # where each table's rows lie compressed in its zip (see package_zip)

    @classmethod
    def check(cls, data: Any) -> "ProgramPart":  # noqa: ANN401 - read from the manifest
        """From the manifest, which the build trusts no further than it can check."""
        try:
            part = cls(**data)
            strings = [part.dcat, part.root_home, *part.source.values(), *part.home, *(use[0] for use in part.uses), *part.names]
            for text in (part.oblast, part.hromada):
                if text is not None:
                    Text(**text)
            # A row is decoded and checked only for the comparisons a change touches (compare.Row.of).
            if not (all(isinstance(s, str) for s in strings) and len(part.home) == len(LANGS) == len(part.names)
                    and all(len(use) == 2 and isinstance(use[1], str) for use in part.uses)
                    and sorted(part.rows) == sorted(t.name for t in TABLES)
                    and all(isinstance(n, int) for n in [*part.rows.values(), *part.tally]) and len(part.tally) == 3
                    and sorted(part.zip) == sorted(part.rows)
                    and all(len(place) == 2 and all(isinstance(n, int) and n >= 0 for n in place)
                            for place in part.zip.values())
                    and isinstance(part.problems, list)):
                raise ValueError
        except (TypeError, ValueError, AttributeError) as error:
            raise ManifestDamaged("a program's common part") from error
        return part

    def restored_problems(self, folder: Path) -> list[Problem]:
        try:
            return [Problem.from_plain(plain, str(folder)) for plain in self.problems]
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise ManifestDamaged("a program's problems") from error


_LINE_START = re.compile(rb'\{"id":("(?:[^"\\]|\\.)*"),"key":"([0-9a-f]{64})",(?="common":)')


@dataclass
class PreviousProgram:
    key: str
    line: bytes
    common: ProgramPart
    routes_at: int  # where its routes start in the line (they end before the line's last brace)

    def routes(self) -> dict[str, list[str]]:
        try:
            routes = export.json_value(self.line[self.routes_at:-1])
            if not (isinstance(routes, dict) and sorted(routes) == sorted(LANGS)
                    and all(isinstance(r, str) for lang in LANGS for r in routes[lang])):
                raise ValueError
        except (ValueError, TypeError) as error:
            raise ManifestDamaged("a program's routes") from error
        return routes


@dataclass
class Previous:
    """The previous build's manifest: every program's key, line and common part; the site's common files."""
    shared: str  # the shared key it was built with
    catalog: str  # the DCAT catalogue's own node (see dcat.catalog_turtle)
    all_dataset: tuple[str, str]  # the all-programs package's dataset, as Turtle, with the digest of what it is made of
    common_files: dict[tuple[str, str], int]  # (output, path) -> size
    programs: dict[str, PreviousProgram]

    @classmethod
    def read(cls, output: Path) -> "Previous | None":
        """None when there is no manifest; ManifestDamaged when it cannot be trusted whole.

        Its lines are kept as bytes and decoded a part at a time: decoded whole, a national manifest
        (70 MB) was 350 MB of Python objects.
        """
        try:
            with open(output / MANIFEST, "rb") as manifest:
                data = manifest.read()
        except OSError:
            return None
        programs: dict[str, PreviousProgram] = {}
        if not data.endswith(b"\n"):  # empty, or cut short
            raise ManifestDamaged(str(output / MANIFEST))
        first, *lines = data.split(b"\n")
        lines.pop()  # what follows the last newline: nothing
        del data
        try:
            head = export.json_value(first)
            if head.get("version") != MANIFEST_VERSION:
                return None
            common = {}
            for tree, path, size in head["common"]:
                if tree not in ("site", "data") or not safe_relative(path) or not isinstance(size, int):
                    raise ValueError
                common[(tree, path)] = size
            for line in lines:
                # Only the part before the routes is read now (the routes, most of the line, are read
                # for the programs that need them). Inside JSON strings quotes are escaped,
                # so the first ',"routes":{' ends the common part, or the line is damaged.
                # Read from the bytes, not decoded whole: orjson checks the UTF-8 of what it reads.
                cut = line.find(b',"routes":{')
                start = _LINE_START.match(line, 0, max(cut, 0))
                if cut < 0 or not start or not line.endswith(b"]}}"):  # whole, to the end of its routes
                    raise ValueError
                program_id = export.json_value(start.group(1))
                part = export.json_value(line[start.end() + len(b'"common":'):cut])
                if not isinstance(program_id, str) or not PROGRAM_ID.match(program_id) or program_id in programs:
                    raise ValueError
                programs[program_id] = PreviousProgram(start.group(2).decode(), line,
                                                       ProgramPart.check(part), cut + len(b',"routes":'))
            all_dataset = tuple(head["all"])
            if not (isinstance(head["shared"], str) and isinstance(head["catalog"], str)
                    and isinstance(head["all"], list) and len(all_dataset) == 2
                    and all(isinstance(text, str) for text in all_dataset)):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ManifestDamaged(str(output / MANIFEST)) from error
        return cls(head["shared"], head["catalog"], all_dataset, common, programs)

    def remove_stale(self, unchanged: Container[str], outputs: dict[str, OutputFolder]) -> None:
        """In an update: what the previous output holds of the programs gone or changed goes, unless made again.

        All of it lies in their own folders (see sealed), so that is where it is looked for: whatever
        else is there, a full build would not have made either.
        """
        for program_id in self.programs:
            if program_id not in unchanged:
                for tree, places in own_paths(program_id).items():
                    for path in held(str(outputs[tree].target), places):
                        outputs[tree].remove(path)  # made again: staged, and moved in instead (see OutputFolder)


def own_paths(program_id: str) -> dict[str, tuple[str, ...]]:
    """Where a program's files may lie, by output: no other program's, nor the common pages' (an id ends in years)."""
    return {"site": (f"uk/{program_id}/", f"en/{program_id}/", f"data/{program_id}/", f"datapackages/{program_id}/",
                     f"datapackages/{program_id}.zip"),
            "data": (f"{program_id}/", f"{program_id}.zip")}


def packed(value: object) -> bytes:
    """JSON, compressed: how the main process keeps what each program's worker reports until the end."""
    return packed_bytes(_json(value))


def packed_bytes(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def unpacked(data: bytes) -> Any:  # noqa: ANN401 - what was packed
    return export.json_value(zlib.decompress(data))


def held(root: str, places: Iterable[str]) -> Iterator[str]:
    """Every file under ``root`` in these places (``folder/`` or a file), as a path relative to it.

    A link is a file here, even to a folder: taken out, not followed. A name no build makes (not
    UTF-8, or with a backslash) was put there by hand: ManifestDamaged, for a full build to drop it.
    """
    def checked(relative: str) -> str:
        try:
            relative.encode()
        except UnicodeEncodeError as error:
            raise ManifestDamaged(f"{root}: a file named {relative!r}") from error
        if not safe_relative(relative):
            raise ManifestDamaged(f"{root}: a file named {relative!r}")
        return relative

    for place in places:
        path = f"{root}/{place.rstrip('/')}"
        if not place.endswith("/") or os.path.islink(path):
            if os.path.lexists(path):
                yield place.rstrip("/")
            continue
        for folder, folders, names in os.walk(path):
            relative = folder[len(root) + 1:]
            yield from (checked(f"{relative}/{name}") for name in names)
            yield from (checked(f"{relative}/{name}") for name in folders if os.path.islink(f"{folder}/{name}"))


@dataclass
class Plan:
    """What this build must make: each program's key and stamp, and which programs stay as the previous build made them."""
    shared: str  # the key of what every program depends on
    keys: dict[str, str]  # by program id
    stamps: dict[str, list[str]]  # [stamp, key] by program id, for the next build
    previous: Previous | None  # the previous build's manifest, when this build updates its output
    unchanged: dict[str, PreviousProgram]  # the programs whose key is the one the previous build made them with

    @property
    def update(self) -> bool:
        return self.previous is not None


def plan_build(content: Path, output: Path, packages_out: Path, templates: Path, base_url: str, date: str | None,
               search: bool, offline: bool, incremental: bool) -> Plan:
    """The keys of every program and, for an incremental build, the previous manifest and what it can keep."""
    shared = shared_key(content, templates, base_url, date, search, offline)
    for folder in (output, packages_out):
        OutputFolder(folder).recover()
    previous = Previous.read(output) if incremental and packages_out.is_dir() else None
    # Built with other templates, catalogue or base URL, every program is made again: a full
    # build then, swapped in whole, not moved in file by file.
    if previous is not None and previous.shared != shared:
        previous = None
    if previous is not None and committing_file(output).exists():
        raise ManifestDamaged(str(committing_file(output)))  # a build killed between its two outputs
    keys, stamps = program_keys(content, shared, read_stamps(output, shared) if incremental else {})
    unchanged = {program_id: old for program_id, old in (previous.programs.items() if previous else ())
                 if keys.get(program_id) == old.key}
    return Plan(shared, keys, stamps, previous, unchanged)


def write_manifest(handle: BinaryIO, plan: Plan, catalog: str, all_dataset: tuple[str, str],
                   common_files: list[tuple[str, str, int]], program_ids: list[str], lines: dict[str, bytes]) -> None:
    """The manifest, streamed: its head, then a line per program (JSON escapes every newline in it)."""
    head = {"version": MANIFEST_VERSION, "shared": plan.shared, "catalog": catalog, "all": all_dataset,
            "common": sorted(common_files)}
    handle.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    for program_id in program_ids:
        if program_id in plan.unchanged:
            handle.write(plan.unchanged[program_id].line + b"\n")
        else:
            handle.write(manifest_head(program_id, plan.keys[program_id]) + zlib.decompress(lines[program_id]) + b"\n")
