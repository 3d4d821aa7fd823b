"""Headless Chromium from Debian's packages, a local server for a built site, and mkdocs serve.

Shared by the browser tests and tools/site/screenshot.py. Playwright only drives
the browser; it never downloads one.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = "apt-get install -y chromium fonts-noto-cjk (or set PAPERNOTES_CHROMIUM to a Chromium binary)"

# Flags that keep Chromium from calling home at start-up, so that what a page
# requests is all that leaves the browser.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]


def find_chromium() -> str | None:
    return os.environ.get("PAPERNOTES_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium(tool: str):
    """Headless Chromium under Playwright, for the command ``tool``: SystemExit
    naming the install step when there is no Chromium."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise SystemExit(f"{tool}: no Chromium: {INSTALL_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def mkdocs_serve(project: Path, flags: list[str], env: dict[str, str] | None = None,
                 log=None) -> Iterator[str]:
    """``mkdocs serve`` of ``project`` on 127.0.0.1 (a free port), its output
    to ``log`` (a file) or nowhere; yield its base URL at once (the first
    build is still under way). Stopped, with its children, on the way out."""
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", address, *flags]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OFFLINE": "false", **(env or {})}
    server = subprocess.Popen(command, cwd=project, env=env, stdout=log or subprocess.DEVNULL,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"http://{address}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
