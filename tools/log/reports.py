"""Weekly reports: docs/weekly/posts/<Monday>.md, one per ISO week.

A report is a post of Material's blog: its front matter has the date, authors,
categories and tags; its sections are 本周代码 (this week's code), 论文阅读
(papers) and 下周计划 (next week), whose unchecked ``- [ ]`` items the next
report carries over. plan_week writes nothing; new_week writes the report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tools.log.cli import Refusal
from tools.log.config import POSTS, check_categories, choose_author
from tools.log.files import create_file, shown
from tools.log.frontmatter import (
    MARKDOWN, NAMES, TEXT, FrontMatter, check_fields, front_matter_text, read_front_matter, to_date,
)
from tools.log.papers import QueuedPaper, reading_queue

REPORT_FIELDS = {"title": TEXT, "description": TEXT, "authors": NAMES, "categories": NAMES, "tags": NAMES}

# The sections of a report, as the existing reports write them.
CODE_HEADING = "## 本周代码"
PAPERS_HEADING = "## 论文阅读"
NEXT_HEADING = "## 下周计划"

# A heading that opens the "next week" section of an earlier report.
NEXT_WEEK = re.compile(r"下周|next\s+week", re.IGNORECASE)
WEEK_PAST_THE_CALENDAR = "its week ends after 9999-12-31, the last day there is"


def week_fits(day: dt.date) -> bool:
    """Whether the Sunday of day's week is a date (the week of 9999-12-31 ends in the year 10000)."""
    return (dt.date.max - day).days >= 6 - day.weekday()


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week that contains day."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def title_of_week(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return f"Weekly report from {monday:%Y.%m.%d} to {sunday:%Y.%m.%d}"


@dataclass(frozen=True)
class Report:
    path: Path
    date: dt.date
    front: FrontMatter


def reports(root: Path) -> list[Report]:
    """Every weekly report under docs/weekly/posts, oldest first."""
    found = []
    folder = root / POSTS
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        front = read_front_matter(path, root)
        check_fields(front, shown(path, root), REPORT_FIELDS)
        where = f"{shown(path, root)}:{front.line('date')}"
        if "date" not in front.data:
            raise Refusal(f"{where}: a weekly report needs 'date' in its front matter")
        found.append(Report(path, to_date(front.data["date"], where), front))
    return sorted(found, key=lambda r: (r.date, r.path))


def report_in_week(root: Path, monday: dt.date) -> Report | None:
    """The report whose date falls in the ISO week starting on monday, if any."""
    sunday = monday + dt.timedelta(days=6)
    return next((r for r in reports(root) if monday <= r.date <= sunday), None)


def open_items(body: str) -> list[str]:
    """The unchecked task items ('- [ ] ...') of a report's next-week section."""
    tokens = MARKDOWN.parse(body)
    items: list[str] = []
    inside = False
    level = 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = tokens[i + 1].content
            if inside and int(token.tag[1]) <= level:
                inside = False
            if not inside and NEXT_WEEK.search(heading):
                inside, level = True, int(token.tag[1])
        elif inside and token.type == "inline" and tokens[i - 1].type == "paragraph_open" and i >= 2 \
                and tokens[i - 2].type == "list_item_open":
            match = re.match(r"\[ \][ \t]+(.+)", token.content, re.DOTALL)
            if match:
                item = " ".join(match[1].split())
                if item not in items:
                    items.append(item)
    return items


def render_report(monday: dt.date, author: str, categories: list[str], queue: list[QueuedPaper],
                  carried: list[str], previous: Report | None, root: Path) -> str:
    post_folder = root / POSTS
    lines = [
        front_matter_text({"date": monday, "authors": [author], "categories": categories, "tags": []}),
        f"# {title_of_week(monday)}",
        "",
        "<!-- 一段话：这周做了什么。博客首页只显示 more 标记以上的部分。 -->",
        "",
        "<!-- more -->",
        "",
        CODE_HEADING,
        "",
        "<!-- ### 每件事一个小节：做了什么、结果、代码（```python 块会被测试运行）。 -->",
        "",
        PAPERS_HEADING,
        "",
    ]
    if queue:
        for status, label in (("reading", "正在读"), ("queued", "待读")):
            group = [p for p in queue if p.status == status]
            if not group:
                continue
            lines.append(f"{label}：")
            lines.append("")
            for paper in group:
                link = os.path.relpath(paper.path, post_folder).replace(os.sep, "/")
                since = f"（{'开始于' if status == 'reading' else '加入于'} {paper.since.isoformat()}）" if paper.since else ""
                lines.append(f"- [{paper.title}]({link}){since}")
            lines.append("")
    else:
        lines += ["<!-- 没有 status: reading 或 queued 的论文笔记；用 tools/new_paper 加一篇。 -->", ""]
    lines += [NEXT_HEADING, ""]
    if carried:
        source = os.path.relpath(previous.path, post_folder).replace(os.sep, "/")
        lines.append(f"<!-- 从上周（{source}）延续的未完成项 -->")
        lines += [f"- [ ] {item}" for item in carried]
    else:
        lines.append("<!-- - [ ] 下周要做的事；没勾掉的会被下一份周报带过去 -->")
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class NewWeek:
    path: Path
    text: str


def plan_week(root: Path, day: dt.date, author: str | None = None,
              categories: list[str] | None = None) -> NewWeek:
    """The report for the week containing day: where it goes and what it says. Writes nothing."""
    categories = list(categories or [])
    monday, _ = week_of(day)
    chosen = choose_author(root, author)
    check_categories(root, categories)
    known = reports(root)
    sunday = monday + dt.timedelta(days=6)
    existing = next((r for r in known if monday <= r.date <= sunday), None)
    if existing is not None:
        raise Refusal(f"{shown(existing.path, root)}:{existing.front.line('date')}: the report for the week of "
                      f"{monday.isoformat()} already exists (date: {existing.date.isoformat()}); not writing another")
    path = root / POSTS / f"{monday.isoformat()}.md"
    if path.exists():
        raise Refusal(f"{shown(path, root)}: already exists; not overwriting it")
    earlier = [r for r in known if r.date < monday]
    previous = earlier[-1] if earlier else None
    carried = open_items(previous.front.body) if previous else []
    queue = reading_queue(root)
    return NewWeek(path, render_report(monday, chosen, categories, queue, carried, previous, root))


def new_week(root: Path, day: dt.date, author: str | None = None, categories: list[str] | None = None,
             dry_run: bool = False) -> NewWeek:
    """Create the report for the week containing day (unless dry_run); return it."""
    week = plan_week(root, day, author, categories)
    if not dry_run:
        create_file(week.path, week.text, root)
    return week
