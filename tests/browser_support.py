"""What the browser tests share: where Debian's Chromium is and how it is started, and a web
app served on a free port of 127.0.0.1 from a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("STUDIOFUND_CHROMIUM", "/usr/bin/chromium")
#: headless on a machine without network: without the background-networking flags Chromium
#: keeps trying to reach Google's hosts
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


def launch(playwright):
    """Debian's Chromium, headless (``make test`` installs it when run as root)."""
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk "
        "(make test installs them when run as root), or set STUDIOFUND_CHROMIUM"
    )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
