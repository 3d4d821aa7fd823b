"""test_site.py's tests that name this log's own notes and pages (the rest of test_site.py holds for any log)."""

from __future__ import annotations

import json
import re
from tools.site.search_shards import read_index


def test_search_index_segments_chinese_with_jieba(site):
    index = json.loads((site.path / "search/search_index.json").read_text(encoding="utf-8"))
    # The separator reaches the browser as a regular expression source; its
    # \u200b escape (Python's re reads it the same way) must split words.
    separator = re.compile(index["config"]["separator"])
    assert separator.split("梯度\u200b累积") == ["梯度", "累积"]
    assert separator.split("F.dropout(x)")[:2] == ["F", "dropout"]
    # jieba cuts the Chinese text into words (U+200B between them, which the
    # index takes off the text it shows); a term from the user dictionary
    # must come out as one word of the index's vocabulary.
    vocabulary = set(read_index(site.path)[0]["vocabulary"])
    assert {"梯度累积", "动量编码器"} <= vocabulary
