"""The site's build: the MkDocs hooks (hooks/), the sharded search index, build helpers,
Chromium and screenshots. It reads the log through tools.log."""
