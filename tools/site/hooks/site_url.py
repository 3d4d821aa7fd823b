"""The site's address comes from SITE_URL, and a build without it claims none.

mkdocs.yml reads ``site_url`` from the environment variable ``SITE_URL``
(CI's pages job sets it to the repository's GitHub Pages address, such as
``https://owner.github.io/papernotes/``). A build without it has no
``site_url``, and publishes nothing that needs the site's absolute address:

- no canonical link in the pages (MkDocs writes one only from ``site_url``);
- no sitemap.xml (nor sitemap.xml.gz): a sitemap lists absolute addresses
  only, so MkDocs' would have no entry; this hook removes it;
- no RSS feeds: RSS items need absolute links, and the rss plugin stops a
  strict build without them; tools/site/hooks/feed.py turns its instances off
  before they start.

404.html is written with links from the host's root (Material does that
without ``site_url``). ``mkdocs serve`` sets ``site_url`` to the address it
serves at, so everything above is there while serving.
"""

from __future__ import annotations

import logging
from pathlib import Path


log = logging.getLogger("mkdocs.hooks.site_url")

SITEMAPS = ("sitemap.xml", "sitemap.xml.gz")


def on_post_build(config, **kwargs) -> None:
    if config.site_url:
        return
    for name in SITEMAPS:
        (Path(config.site_dir) / name).unlink(missing_ok=True)
    log.info("no SITE_URL: no canonical links, no sitemap, no feeds "
             "(set SITE_URL to the address the site is served at)")
