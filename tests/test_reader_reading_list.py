"""The reading list as a reader finds it: each paper with the dates its status has (no
column left blank for the dates a status lacks), and the reading pace, papers finished per
month, as a small inline SVG with one bar a month."""

from __future__ import annotations

import re

import pytest

from tests.small_log import build, make_log

BIB = "".join(f"@misc{{{key}, author={{Doe, Jane}}, title={{Paper {key.upper()}}}, year={{2021}}}}\n\n"
              for key in "abcde")
NOTES = {  # status and dates of each note; c leaves June without a finished paper
    "a": "status: read\nstarted: 2022-05-09\nfinished: 2022-05-15\ntags: [CV]",
    "b": "status: read\nadded: 2022-04-25\nfinished: 2022-05-20",
    "c": "status: read\nfinished: 2022-07-02",
    "d": "status: reading\nstarted: 2022-07-10",
    "e": "status: queued\nadded: 2022-07-11",
}
PAGES = {f"papers/{key}.md": f"---\nbib: {key}\n{front}\n---\n\n# Paper {key.upper()}\n\nText.\n"
         for key, front in NOTES.items()}


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("reading-list")
    site = build(make_log(work / "log", PAGES, bib=BIB), work / "site")
    return (site / "papers/reading-list/index.html").read_text(encoding="utf-8")


def cell_text(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_reading_list_rows_show_their_dates_and_no_cell_is_empty(page):
    tables = re.findall(r"<table>(.*?)</table>", page, re.DOTALL)
    assert len(tables) == 3  # reading, queued, read
    rows = {}
    for table in tables:
        headers = [cell_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
            cells = [cell_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            assert len(cells) == len(headers) and all(cells), (headers, cells)
            rows[cells[0]] = dict(zip(headers, cells))
    assert {title: row["Dates"] for title, row in rows.items()} == {
        "Paper D": "started 2022-07-10",
        "Paper E": "added 2022-07-11",
        "Paper C": "finished 2022-07-02",
        "Paper B": "added 2022-04-25 · finished 2022-05-20",
        "Paper A": "started 2022-05-09 · finished 2022-05-15",
    }
    assert "Added" not in page and "Started</th>" not in page and "Finished</th>" not in page


def test_reading_pace_is_one_bar_a_month_as_high_as_its_count(page):
    svg = re.search(r'<figure class="papernotes-pace"><svg\b[^>]*>.*?</svg>', page, re.DOTALL)[0]
    assert 'role="img"' in svg and "<title" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.DOTALL)[1]
    assert "3 papers finished from May 2022 to July 2022" in desc and "Jun 2022 0" in desc
    months = re.findall(r'<g class="papernotes-pace__month" data-month="([\d-]+)" data-count="(\d+)">'
                        r'<title>[^<]*</title><rect [^>]*height="([\d.]+)"', svg)
    assert [(month, int(count)) for month, count, _ in months] == [("2022-05", 2), ("2022-06", 0), ("2022-07", 1)]
    heights = [float(height) for _, _, height in months]
    assert heights[1] == 0 and heights[0] > 0 and abs(heights[2] / heights[0] - 1 / 2) < 1e-6
    assert "<script" not in re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', page, re.DOTALL)[1]
