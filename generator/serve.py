"""Local preview: build, serve on 127.0.0.1, rebuild when sources change, reload the page.

The live-reload script is added to HTML responses by the server, never to
the built files, so what is previewed is what gets published. While the
sources have errors, every page shows the problems instead.
"""

from __future__ import annotations

import functools
import html
import json
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from watchfiles import watch

from .build import build
from .problems import Problem, summary

RELOAD_SCRIPT = b"""<script src="/__preview/reload.js" defer></script>"""
RELOAD_JS = b"""(function () {
  var version = null;
  function check() {
    fetch("/__preview/state", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      if (version !== null && s.version !== version) { location.reload(); return; }
      version = s.version;
      setTimeout(check, 700);
    }).catch(function () { setTimeout(check, 2000); });
  }
  check();
})();
"""


@dataclass
class PreviewState:
    version: int = 0
    problems: list[Problem] = field(default_factory=list)
    built: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def problems_page(problems: list[Problem], lang: str) -> bytes:
    title = {"uk": "Джерела містять помилки", "en": "The sources have errors"}[lang]
    lead = {"uk": "Сайт не перебудовано. Виправте ці місця — сторінка оновиться сама.",
            "en": "The site was not rebuilt. Fix these places and the page reloads by itself."}[lang]
    items = "".join(
        f"<li><code>{html.escape(p.path)}:{p.line}:{p.column}</code> "
        f"<strong>{html.escape(p.severity)}</strong>: {html.escape(p.message(lang))}</li>"
        for p in problems
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
        f'<body style="font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem">'
        f"<h1>{title}</h1><p>{lead}</p><ol>{items}</ol><p>{html.escape(summary(problems, lang))}</p>"
        "</body></html>"
    ).encode("utf-8")


class PreviewHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, state: PreviewState, lang: str, directory: str, **kwargs) -> None:  # noqa: ANN002, ANN003
        self.state = state
        self.lang = lang
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet: the terminal is for problems
        pass

    def send_bytes(self, data: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        path = self.path.split("?", 1)[0]
        if path == "/__preview/state":
            with self.state.lock:
                body = {"version": self.state.version, "built": self.state.built}
            self.send_bytes(json.dumps(body).encode(), "application/json")
            return
        if path == "/__preview/reload.js":
            self.send_bytes(RELOAD_JS, "text/javascript")
            return
        with self.state.lock:
            failing = not self.state.built and self.state.problems
            problems = list(self.state.problems)
        if failing:
            self.send_bytes(problems_page(problems, self.lang).replace(b"</body>", RELOAD_SCRIPT + b"</body>"),
                            "text/html; charset=utf-8")
            return
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            data = target.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
            self.send_bytes(data, "text/html; charset=utf-8")
            return
        if not target.exists() and (Path(self.directory) / "404.html").is_file():
            data = (Path(self.directory) / "404.html").read_bytes()
            self.send_bytes(data.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1), "text/html; charset=utf-8", 404)
            return
        super().do_GET()


def rebuild(content: Path, output: Path, state: PreviewState, lang: str, templates: Path | None,
            report: Callable[[str], None]) -> None:
    try:
        # One process: forking from a threaded server is unsafe, and a preview is one council's program.
        result = build(content, output, templates=templates, base_url="/", workers=1)
    except Exception as error:  # a template mistake while editing must not stop the preview
        report(f"build failed: {type(error).__name__}: {error}")
        with state.lock:
            state.built = False
            state.version += 1
        return
    for problem in result.corpus.problems:
        report(problem.as_text(lang))
    report(summary(result.corpus.problems, lang))
    with state.lock:
        state.problems = result.corpus.problems
        state.built = result.built
        state.version += 1


def serve(content: Path, output: Path, *, host: str = "127.0.0.1", port: int = 8000, lang: str = "uk",
          templates: Path | None = None, report: Callable[[str], None] = print,
          ready: Callable[[int], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve until interrupted (or until ``stop`` is set). Rebuilds on every change to content or templates."""
    state = PreviewState()
    stop = stop or threading.Event()
    rebuild(content, output, state, lang, templates, report)
    output.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(PreviewHandler, state=state, lang=lang, directory=str(output.resolve()))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    address = f"http://{host}:{server.server_address[1]}/"
    report({"uk": f"попередній перегляд: {address} (Ctrl+C — зупинити)",
            "en": f"preview: {address} (Ctrl+C to stop)"}[lang])
    watched = [p for p in (content, templates or Path("templates")) if p.exists()]

    def watcher() -> None:
        for _changes in watch(*watched, stop_event=stop, debounce=300, raise_interrupt=False):
            rebuild(content, output, state, lang, templates, report)

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    server_thread = threading.Thread(target=server.serve_forever, daemon=True)
    server_thread.start()
    if ready:
        ready(server.server_address[1])
    try:
        while not stop.wait(0.5):  # short waits, so Ctrl+C and SIGTERM are handled promptly
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
