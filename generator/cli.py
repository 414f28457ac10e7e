"""Command line: parses arguments and prints; the work happens in the stage modules."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from urllib.parse import urlsplit

from .problems import summary, to_json
from .validate import check

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description="Hromada informatization programs.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check every source file and report all problems")
    check.add_argument("content", nargs="?", default="content", help="the content folder (default: content)")
    check.add_argument("--lang", choices=("uk", "en"), default="uk", help="language of the messages (default: uk)")
    output = check.add_mutually_exclusive_group()
    output.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools")
    output.add_argument("--github", action="store_true", help="print GitHub Actions annotations")
    build = commands.add_parser("build", help="validate, then build the site into site/")
    build.add_argument("content", nargs="?", default="content", help="the content folder (default: content)")
    build.add_argument("--out", default="site", help="the site folder to write (default: site)")
    build.add_argument("--base-url", default="/", help="where the site is served, e.g. /repo/ or https://example.org/repo/")
    build.add_argument("--templates", default=None, help="the templates folder (default: templates)")
    build.add_argument("--no-search", action="store_true", help="skip the search index")
    build.add_argument("--offline", action="store_true",
                       help="a copy to browse from a folder, without a server: links name each page's index.html")
    build.add_argument("--workers", type=int, default=None, metavar="N",
                       help="processes that check and render programs (default: one per core when there are two programs or more)")
    build.add_argument("--full", action="store_true",
                       help="render every program again, even those unchanged since the last build")
    build.add_argument("--lang", choices=("uk", "en"), default="uk", help="language of the messages (default: uk)")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    preview = commands.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild when sources change")
    preview.add_argument("content", nargs="?", default="content", help="the content folder (default: content)")
    preview.add_argument("--out", default="site", help="the site folder to write (default: site)")
    preview.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    preview.add_argument("--templates", default=None, help="the templates folder (default: templates)")
    preview.add_argument("--lang", choices=("uk", "en"), default="uk", help="language of the messages (default: uk)")
    scaffold = commands.add_parser("new", help="create a new program folder under content/")
    scaffold.add_argument("short_name", help="the hromada's short name, e.g. Хмільницька")
    scaffold.add_argument("--name", help="full name (default: «<short name> ... територіальна громада»)")
    scaffold.add_argument("--type", choices=("city", "settlement", "village"), default="city")
    scaffold.add_argument("--start", type=int, required=True, help="first year")
    scaffold.add_argument("--end", type=int, required=True, help="last year")
    scaffold.add_argument("--content", default="content", help="the content folder (default: content)")
    schema = commands.add_parser("schema", help="write the JSON Schemas generated from the model")
    schema.add_argument("--out", default="schemas", help="folder to write them to (default: schemas)")
    return parser


EXIT_INTERNAL = 3


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad usage, 0 on --help
        return int(exit_.code or 0)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenProcessPool:  # a worker was killed: the out-of-memory killer, most often
        building = args.command == "build"
        message = {
            "uk": "один із робочих процесів зупинився, не закінчивши (його вбито: можливо, забракло пам'яті). "
                  + ("Нічого не записано, попередня версія сайту не змінилася. Запустіть ще раз або з --workers 1."
                     if building else "Запустіть ще раз."),
            "en": "a worker process stopped before it finished (it was killed: out of memory, perhaps). "
                  + ("Nothing was written; the previous site is unchanged. Run it again, or with --workers 1."
                     if building else "Run it again."),
        }[getattr(args, "lang", "uk")]
        print(f"python -m generator {args.command}: {message}", file=sys.stderr)
        return EXIT_ERRORS
    except BrokenPipeError:  # `... | head` closed the pipe: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # a bug of ours: say so in one line, never a traceback
        print(
            f"python -m generator: internal error ({type(error).__name__}: {error}). "
            "Nothing was written. Please report it with the command you ran.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    if args.command == "schema":
        from .schemas import write_schemas

        for path in write_schemas(Path(args.out)):
            print(path)
        return EXIT_OK
    if args.command == "build":
        return _build(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "new":
        return _new(args)
    content = Path(args.content)
    if not content.is_dir():
        message = {"uk": f"теки «{content}» немає", "en": f"there is no folder '{content}'"}[args.lang]
        print(f"python -m generator validate: {message}", file=sys.stderr)
        return EXIT_USAGE
    problems = check(content)
    if args.format == "json":
        print(to_json(problems, args.lang))
    elif args.github:
        for problem in problems:
            print(problem.as_github(args.lang))
        print(summary(problems, args.lang))
    else:
        for problem in problems:
            print(problem.as_text(args.lang))
        print(summary(problems, args.lang))
    return EXIT_ERRORS if any(problem.severity == "error" for problem in problems) else EXIT_OK


def base_url_problem(url: str, lang: str) -> str | None:
    """Why ``--base-url`` cannot be where a site is served, in the clerk's language; None when it can.

    Pages link to one another relatively, but the canonical addresses, the sitemap and the DCAT
    catalogue are the base URL and a page's route: without a scheme and host ("example.org/repo/")
    or with a space, they would be addresses nobody can open.
    """
    parts = urlsplit(url)
    if url.startswith("//") or (not url.startswith("/") and not (parts.scheme in ("http", "https") and parts.netloc)):
        return {"uk": f"--base-url «{url}»: адреса має починатися з / або з https:// і назви сайту, "
                      "наприклад /repo/ або https://example.org/repo/",
                "en": f"--base-url '{url}': the address must begin with / or with https:// and a host name, "
                      "e.g. /repo/ or https://example.org/repo/"}[lang]
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return {"uk": f"--base-url «{url}»: без ? і # — лише адреса теки, де лежить сайт",
                "en": f"--base-url '{url}': no ? or # — only the address of the folder the site is in"}[lang]
    unsafe = sorted({char for char in url if char.isspace() or not char.isprintable() or char in _NOT_IN_URLS})
    if unsafe:
        shown = " ".join(repr(char) for char in unsafe)
        return {"uk": f"--base-url «{url}»: в адресі {shown} пишуть кодом (пробіл — %20, лапки — %22)",
                "en": f"--base-url '{url}': an address has {shown} written as a code (a space as %20, "
                      "a quote as %22)"}[lang]
    return None


_NOT_IN_URLS = frozenset('"<>\\^`{|}')  # RFC 3986 has no place for them; a space is caught as white space


def _build(args: argparse.Namespace) -> int:
    from .build import build
    from .write import OutputBusy

    content = Path(args.content)
    if not content.is_dir():
        message = {"uk": f"теки «{content}» немає", "en": f"there is no folder '{content}'"}[args.lang]
        print(f"python -m generator build: {message}", file=sys.stderr)
        return EXIT_USAGE
    if (message := base_url_problem(args.base_url, args.lang)) is not None:
        print(f"python -m generator build: {message}", file=sys.stderr)
        return EXIT_USAGE
    show_progress = not args.quiet and sys.stderr.isatty()
    options = {"templates": Path(args.templates) if args.templates else None, "base_url": args.base_url,
               "search": not args.no_search, "incremental": not args.full, "workers": args.workers,
               "offline": args.offline}
    try:
        if show_progress:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("build", total=None)
                result = build(content, Path(args.out), **options,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
        else:
            result = build(content, Path(args.out), **options)
    except OSError as error:  # a full disk, a read-only folder: the previous output was not touched
        message = {
            "uk": f"не вдалося записати «{args.out}»: {error.strerror or error}. Попередня версія сайту не змінилася.",
            "en": f"could not write '{args.out}': {error.strerror or error}. The previous site is unchanged.",
        }[args.lang]
        print(f"python -m generator build: {message}", file=sys.stderr)
        return EXIT_ERRORS
    except OutputBusy:
        message = {
            "uk": f"«{args.out}» зараз збирає інший процес; дочекайтеся його завершення",
            "en": f"another build is writing '{args.out}'; wait for it to finish",
        }[args.lang]
        print(f"python -m generator build: {message}", file=sys.stderr)
        return EXIT_ERRORS
    problems = result.corpus.problems
    shown = problems if not args.quiet else [p for p in problems if p.severity == "error"]
    for problem in shown:
        print(problem.as_text(args.lang))
    if not result.built:
        print(summary(problems, args.lang))
        message = {"uk": "сайт не зібрано, попередня версія не змінилася", "en": "the site was not built; the previous one is unchanged"}
        print(message[args.lang], file=sys.stderr)
        return EXIT_ERRORS
    if not args.quiet:
        print(summary(problems, args.lang))
        done = {"uk": f"зібрано {result.pages} сторінок, {result.files} файлів у «{args.out}»",
                "en": f"built {result.pages} pages, {result.files} files in '{args.out}'"}
        print(done[args.lang])
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from .serve import serve

    content = Path(args.content)
    if not content.is_dir():
        print(f"python -m generator serve: there is no folder '{content}'", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()

    def terminate(*_: object) -> None:
        # As Ctrl+C does. Not stop.set(): a second SIGTERM (make passes one on to its children) would
        # re-enter the event's lock from the handler while the first still holds it, and hang.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        serve(content, Path(args.out), port=args.port, lang=args.lang,
              templates=Path(args.templates) if args.templates else None,
              report=lambda line: print(line, flush=True), stop=stop)
    except OSError as error:  # the port is taken, most often
        print(f"python -m generator serve: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from .new import scaffold

    if args.start > args.end:
        print("python -m generator new: --start must not be after --end", file=sys.stderr)
        return EXIT_USAGE
    kinds = {"city": "міська", "settlement": "селищна", "village": "сільська"}
    name = args.name or f"{args.short_name} {kinds[args.type]} територіальна громада"
    try:
        folder = scaffold(Path(args.content), args.short_name, name, args.type, args.start, args.end)
    except FileExistsError as error:
        print(f"python -m generator new: {error} already exists; nothing was written", file=sys.stderr)
        return EXIT_ERRORS
    print(folder)
    return EXIT_OK
