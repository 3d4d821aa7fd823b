"""Take the README's screenshot, or a set of them, from the real site.

    python3 tools/dev.py screenshot [--page weekly/2022/05/09/] [--out docs/assets/images/screenshot.png]
    python3 tools/dev.py screenshot --set DIR [--root CHECKOUT] [--page P ...]

Builds the site into a temporary directory, serves it on 127.0.0.1, opens a
page in headless Chromium (Debian's package) and saves a PNG. ``--set DIR``
shoots each page (the key pages unless --page names others) at 1280 and 390
px wide, light and dark, as JPEG files named ``<page>-<width>-<scheme>.jpg``;
the 1280 px light ones show up to 2,400 px of the page, the others the first screen. ``--root``
builds another checkout (an earlier commit, to compare), with its own hooks.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from tools.site.browser import INSTALL_HINT, chromium, find_chromium, serve
from tools.site.build import ROOT, build_site, run_mkdocs

# What a reader meets first: home, a report, a paper note with formulas, one with code,
# a section index, the reading list, the bibliography, the tags.
KEY_PAGES = ("", "weekly/2022/05/09/", "papers/moco/", "papers/swin-transformer-v2/", "papers/",
             "papers/reading-list/", "papers/bibliography/", "tags/")
SHOTS = ((1280, "light"), (1280, "dark"), (390, "light"), (390, "dark"))


def name_of(page: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page.lower()).strip("-") or "home"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", help="page to show, relative to the site root (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/assets/images/screenshot.png")
    parser.add_argument("--dark", action="store_true", help="use the dark palette")
    parser.add_argument("--set", type=Path, metavar="DIR", help="shoot the pages at two widths and both palettes")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to build (default: this one)")
    args = parser.parse_args(argv)

    if not find_chromium():
        print(f"screenshot: Chromium not found; {INSTALL_HINT}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "site"
        if args.root.resolve() == ROOT:
            build_site(site_dir)
        else:
            done = run_mkdocs(site_dir, cwd=args.root.resolve())
            if done.returncode != 0:
                print(f"screenshot: the build of {args.root} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                return 1
        with serve(site_dir) as url, chromium("screenshot") as browser:
            if args.set is None:
                page = browser.new_page(viewport={"width": 1280, "height": 800},
                                        color_scheme="dark" if args.dark else "light")
                page.goto(url + (args.page or ["weekly/2022/05/09/"])[0], wait_until="networkidle")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                print(args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out)
                return 0
            args.set.mkdir(parents=True, exist_ok=True)
            for width, scheme in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": 800 if width > 800 else 844},
                                              color_scheme=scheme, device_scale_factor=1)
                page = context.new_page()
                for path in args.page or KEY_PAGES:
                    page.goto(url + path, wait_until="networkidle")
                    out = args.set / f"{name_of(path)}-{width}-{scheme}.jpg"
                    tall = page.evaluate("document.documentElement.scrollHeight") if (width, scheme) == (1280, "light") else 0
                    clip = {"x": 0, "y": 0, "width": width, "height": min(max(tall, 800), 2400)} if tall else None
                    page.screenshot(path=str(out), type="jpeg", quality=70, full_page=bool(clip), clip=clip)
                    print(out)
                context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
