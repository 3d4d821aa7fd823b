"""Take the README's screenshot from the real site.

    python3 tools/dev.py screenshot [--page weekly/2022/05/09/] [--out docs/assets/images/screenshot.png]

Builds the site into a temporary directory, serves it on 127.0.0.1, opens a
page in headless Chromium (Debian's package) and saves a PNG.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.build import ROOT, build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="weekly/2022/05/09/", help="page to show, relative to the site root")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/assets/images/screenshot.png")
    parser.add_argument("--dark", action="store_true", help="use the dark palette")
    args = parser.parse_args(argv)

    if not find_chromium():
        print(f"screenshot: Chromium not found; {INSTALL_HINT}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        site = build_site(Path(tmp) / "site")
        with serve(site.path) as url, chromium("screenshot") as browser:
            page = browser.new_page(
                viewport={"width": 1280, "height": 800},
                color_scheme="dark" if args.dark else "light",
            )
            page.goto(url + args.page, wait_until="networkidle")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
    print(args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
