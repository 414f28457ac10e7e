"""Command line: parses arguments and prints; the work happens in the stage modules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .problems import summary, to_json
from .validate import validate

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
    content = Path(args.content)
    if not content.is_dir():
        message = {"uk": f"теки «{content}» немає", "en": f"there is no folder '{content}'"}[args.lang]
        print(f"python -m generator validate: {message}", file=sys.stderr)
        return EXIT_USAGE
    corpus = validate(content)
    problems = corpus.problems
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
    return EXIT_ERRORS if corpus.has_errors else EXIT_OK
