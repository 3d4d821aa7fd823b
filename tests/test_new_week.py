"""tools/new_week on small trees written here: the report it writes and every refusal."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.log import reports
from tools.log.cli import Refusal
from tools.log.files import create_file
from tools.log.reports import open_items
from tools.new_week import main

ROOT = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: test log
site_url: !ENV [SITE_URL, "http://127.0.0.1:8000/"]
theme:
  name: material
plugins:
  - blog:
      blog_dir: weekly
      categories_allowed:
        - CV
        - NLP
        - Tools
  - tags
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - pymdownx.tasklist:
      custom_checkbox: true
"""

AUTHORS_YML = """\
authors:
  lin:
    name: Lin Qiao
    description: Graduate student
    avatar: https://example.org/lin.png
  wang:
    name: Wang Wei
    description: Graduate student
    avatar: https://example.org/wang.png
"""

REFERENCES_BIB = """\
% The papers of the test log.

@inproceedings{he2020moco,
  author    = {He, Kaiming and Fan, Haoqi and Wu, Yuxin and Xie, Saining and Girshick, Ross},
  title     = {Momentum Contrast for Unsupervised Visual Representation Learning},
  booktitle = {CVPR},
  year      = {2020}
}

@article{chen2020simclr,
  author  = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey},
  title   = {A Simple Framework for Contrastive Learning of Visual Representations},
  journal = {ICML},
  year    = {2020}
}

@article{he2022mae,
  author  = {He, Kaiming and Chen, Xinlei},
  title   = {Masked Autoencoders Are Scalable Vision Learners},
  journal = {CVPR},
  year    = {2022}
}
"""

LAST_WEEK = """\
---
date: 2026-11-16
authors:
  - lin
categories:
  - CV
tags: []
---

# Weekly report from 2026.11.16 to 2026.11.22

读完了 MoCo。

<!-- more -->

## 本周代码

- [ ] 这一项不在下周计划里，不会被带过去

## 下周计划

- [x] 复现 MoCo 的 queue
- [ ] 读 SimCLR，对比
  MoCo 的负样本
- [ ] 写 MAE 的笔记
    - [ ] 子项：画出 mask 比例的曲线

```text
- [ ] 代码块里的不是任务
```
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def copy_tools(root: Path, *wrappers: str) -> Path:
    """The commands' modules and wrappers, copied into the log at root: run there, they work on it."""
    tools = root / "tools"
    tools.mkdir(exist_ok=True)
    shutil.copytree(ROOT / "tools" / "log", tools / "log", ignore=shutil.ignore_patterns("__pycache__"),
                    dirs_exist_ok=True)
    for name in ("__init__.py", "new_week.py", "new_paper.py", "import_post.py", *wrappers):
        shutil.copy2(ROOT / "tools" / name, tools / name)
    return tools


def make_tree(root: Path, *, last_week: bool = True, papers: bool = True) -> Path:
    """A minimal papernotes checkout: mkdocs.yml, authors, references.bib, notes, a report."""
    write(root / "mkdocs.yml", MKDOCS_YML)
    write(root / "docs/index.md", "# Test log\n")
    write(root / "docs/weekly/index.md", "# Weekly\n")
    write(root / "docs/weekly/.authors.yml", AUTHORS_YML)
    (root / "docs/weekly/posts").mkdir(parents=True, exist_ok=True)
    write(root / "docs/references.bib", REFERENCES_BIB)
    write(root / "docs/papers/index.md", "# Papers\n")
    if papers:
        write(root / "docs/papers/moco.md", "---\nbib: he2020moco\nstatus: read\nfinished: 2026-11-20\n---\n\n# MoCo\n")
        write(root / "docs/papers/simclr.md",
              "---\ntitle: \"SimCLR: contrastive learning, simply\"\nbib: chen2020simclr\nstatus: reading\n"
              "started: 2026-11-18\n---\n\n# SimCLR\n")
        write(root / "docs/papers/mae.md",
              "---\nbib: he2022mae\nstatus: queued\nadded: 2026-11-19\ntags: []\n---\n\n"
              "```python\n# not a title\n```\n\n# MAE: masked autoencoders\n")
    if last_week:
        write(root / "docs/weekly/posts/2026-11-16.md", LAST_WEEK)
    return root


def files(root: Path) -> dict[str, bytes]:
    """Every file of the tree, to check that a command touched nothing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def script_env() -> dict[str, str]:
    """For running tools/<name>: without .venv/ the wrapper takes python3 from PATH, so this one."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def no_temp_files(root: Path) -> None:
    leftovers = [p for p in root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


EXPECTED = """\
---
date: 2026-11-23
authors: [lin]
categories: []
tags: []
---

# Weekly report from 2026.11.23 to 2026.11.29

<!-- 一段话：这周做了什么。博客首页只显示 more 标记以上的部分。 -->

<!-- more -->

## 本周代码

<!-- ### 每件事一个小节：做了什么、结果、代码（```python 块会被测试运行）。 -->

## 论文阅读

正在读：

- [SimCLR: contrastive learning, simply](../../papers/simclr.md)（开始于 2026-11-18）

待读：

- [MAE: masked autoencoders](../../papers/mae.md)（加入于 2026-11-19）

## 下周计划

<!-- 从上周（2026-11-16.md）延续的未完成项 -->
- [ ] 读 SimCLR，对比 MoCo 的负样本
- [ ] 写 MAE 的笔记
- [ ] 子项：画出 mask 比例的曲线
"""


# -- the happy path -------------------------------------------------------------------


def test_writes_the_report_for_the_week_of_the_date(tree: Path, capsys):
    assert main(["--date", "2026-11-25"], root=tree) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("docs/weekly/posts/2026-11-23.md\n", "")
    assert (tree / "docs/weekly/posts/2026-11-23.md").read_text(encoding="utf-8") == EXPECTED
    no_temp_files(tree)


@pytest.mark.parametrize("today", ["2026-11-23", "2026-11-26", "2026-11-29"])
def test_every_day_of_the_week_gives_its_monday(tree: Path, capsys, today: str):
    assert main([], today=dt.date.fromisoformat(today), root=tree) == 0
    assert capsys.readouterr().out == "docs/weekly/posts/2026-11-23.md\n"


def test_a_week_across_new_year(tmp_path: Path, capsys):
    root = make_tree(tmp_path, last_week=False, papers=False)
    assert main(["--date", "2027-01-01"], root=root) == 0
    text = (root / "docs/weekly/posts/2026-12-28.md").read_text(encoding="utf-8")
    assert "date: 2026-12-28\n" in text
    assert "# Weekly report from 2026.12.28 to 2027.01.03\n" in text


def test_empty_log_gets_placeholders(tmp_path: Path, capsys):
    root = make_tree(tmp_path, last_week=False, papers=False)
    assert main(["--date", "2026-11-23"], root=root) == 0
    text = (root / "docs/weekly/posts/2026-11-23.md").read_text(encoding="utf-8")
    assert text.endswith(
        "## 论文阅读\n\n<!-- 没有 status: reading 或 queued 的论文笔记；用 tools/new_paper 加一篇。 -->\n\n"
        "## 下周计划\n\n<!-- - [ ] 下周要做的事；没勾掉的会被下一份周报带过去 -->\n"
    )


def test_author_and_categories(tree: Path, capsys):
    assert main(["--date", "2026-11-23", "--author", "wang", "--category", "CV", "--category", "Tools"], root=tree) == 0
    text = (tree / "docs/weekly/posts/2026-11-23.md").read_text(encoding="utf-8")
    assert text.startswith("---\ndate: 2026-11-23\nauthors: [wang]\ncategories: [CV, Tools]\ntags: []\n---\n")


def test_carries_over_from_the_latest_earlier_report_only(tree: Path, capsys):
    write(tree / "docs/weekly/posts/older.md",
          "---\ndate: 2026-11-02\n---\n\n## 下周计划\n\n- [ ] 很久以前的计划\n")
    write(tree / "docs/weekly/posts/2026-12-07.md",
          "---\ndate: 2026-12-07\n---\n\n## Next week\n\n- [ ] 以后的计划\n")
    assert main(["--date", "2026-11-30"], root=tree) == 0
    text = (tree / "docs/weekly/posts/2026-11-30.md").read_text(encoding="utf-8")
    assert "- [ ] 写 MAE 的笔记\n" in text
    assert "很久以前" not in text and "以后的计划" not in text
    assert "不在下周计划里" not in text and "代码块里" not in text and "复现 MoCo" not in text


def test_open_items_reads_english_headings_and_stops_at_the_next_section():
    body = "## Next week\n\n- [ ] one\n- [X] done\n* [ ] two\n\n### detail\n\n- [ ] three\n\n## Notes\n\n- [ ] not this\n"
    assert open_items(body) == ["one", "two", "three"]


def test_dry_run_prints_and_writes_nothing(tree: Path, capsys):
    before = files(tree)
    assert main(["--date", "2026-11-25", "--dry-run"], root=tree) == 0
    out, err = capsys.readouterr()
    assert out == "would write docs/weekly/posts/2026-11-23.md:\n" + EXPECTED
    assert err == ""
    assert files(tree) == before


# -- refusals: one line on stderr, a non-zero exit, nothing touched ------------------------


def refused_by(command, root: Path, argv: list[str], capsys, code: int = 1) -> str:
    """command(argv), run on the log at root, must refuse: exit status code, nothing on stdout,
    one line on stderr (returned, without its line end), every file as it was, no temporary file."""
    before = files(root)
    assert command(argv) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert files(root) == before
    no_temp_files(root)
    return err.rstrip("\n")


def refused(root: Path, argv: list[str], capsys, code: int = 1) -> str:
    return refused_by(lambda args: main(args, root=root), root, argv, capsys, code)


def test_refuses_a_second_report_for_the_week(tree: Path, capsys):
    assert main(["--date", "2026-11-23"], root=tree) == 0
    capsys.readouterr()
    assert refused(tree, ["--date", "2026-11-29"], capsys) == (
        "new_week: docs/weekly/posts/2026-11-23.md:2: the report for the week of 2026-11-23 already exists "
        "(date: 2026-11-23); not writing another")


def test_refuses_when_the_week_has_a_report_under_another_name(tree: Path, capsys):
    write(tree / "docs/weekly/posts/2026/my-week.md", "---\ntitle: x\ndate: 2026-11-27 20:00:00\n---\n\nhi\n")
    assert refused(tree, ["--date", "2026-11-24"], capsys) == (
        "new_week: docs/weekly/posts/2026/my-week.md:3: the report for the week of 2026-11-23 already exists "
        "(date: 2026-11-27); not writing another")


def test_refuses_to_overwrite_a_file_with_the_mondays_name(tree: Path, capsys):
    write(tree / "docs/weekly/posts/2026-11-23.md", "---\ndate: 2026-11-09\n---\n\nmisnamed\n")
    assert refused(tree, ["--date", "2026-11-23"], capsys) == (
        "new_week: docs/weekly/posts/2026-11-23.md: already exists; not overwriting it")


@pytest.mark.parametrize("value, message", [
    ("2026-02-30", "new_week: error: invalid date '2026-02-30': day is out of range for month"),
    ("2026-13-01", "new_week: error: invalid date '2026-13-01': month must be in 1..12"),
    ("tomorrow", "new_week: error: invalid date 'tomorrow': write it as YYYY-MM-DD"),
    ("2026-1-5", "new_week: error: invalid date '2026-1-5': write it as YYYY-MM-DD"),
    ("", "new_week: error: invalid date '': write it as YYYY-MM-DD"),
])
def test_refuses_invalid_dates(tree: Path, capsys, value: str, message: str):
    assert refused(tree, ["--date", value], capsys, code=2) == message


def test_refuses_an_unknown_option(tree: Path, capsys):
    before = files(tree)
    with pytest.raises(SystemExit) as exit_:
        main(["--date", "2026-11-23", "--force"], root=tree)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "new_week: error: unrecognized arguments: --force (see new_week --help)\n")
    assert files(tree) == before


def test_refuses_an_unknown_author(tree: Path, capsys):
    assert refused(tree, ["--date", "2026-11-23", "--author", "zhang"], capsys) == (
        "new_week: docs/weekly/.authors.yml: unknown author 'zhang' (known: lin, wang)")


def test_refuses_a_category_that_mkdocs_yml_does_not_allow(tree: Path, capsys):
    assert refused(tree, ["--date", "2026-11-23", "--category", "Cooking"], capsys) == (
        "new_week: mkdocs.yml: category 'Cooking' is not in the blog's categories_allowed (CV, NLP, Tools)")


def test_refuses_without_authors_file(tree: Path, capsys):
    (tree / "docs/weekly/.authors.yml").unlink()
    assert refused(tree, ["--date", "2026-11-23"], capsys) == "new_week: docs/weekly/.authors.yml: no such file"


def test_refuses_a_report_with_broken_front_matter(tree: Path, capsys):
    write(tree / "docs/weekly/posts/2026-11-09.md", "---\ndate: 2026-11-09\ntags: [a, b\n---\n\nx\n")
    assert refused(tree, ["--date", "2026-11-23"], capsys) == (
        "new_week: docs/weekly/posts/2026-11-09.md:3: front matter is not valid YAML: "
        "while parsing a flow sequence, expected ',' or ']', but got '<stream end>'")


def test_refuses_a_report_without_a_date(tree: Path, capsys):
    write(tree / "docs/weekly/posts/draft.md", "---\ntitle: draft\n---\n\nx\n")
    assert refused(tree, ["--date", "2026-11-23"], capsys) == (
        "new_week: docs/weekly/posts/draft.md:1: a weekly report needs 'date' in its front matter")


def test_refuses_a_report_whose_date_is_not_a_date(tree: Path, capsys):
    write(tree / "docs/weekly/posts/x.md", "---\ntitle: x\ndate: 2026-02-30\n---\n\nx\n")
    assert refused(tree, ["--date", "2026-11-23"], capsys) == (
        "new_week: docs/weekly/posts/x.md:3: date: '2026-02-30' is not valid: day is out of range for month")


def test_refuses_an_unknown_reading_status(tree: Path, capsys):
    write(tree / "docs/papers/vit.md", "---\nbib: dosovitskiy2021vit\nstatus: reeding\n---\n\n# ViT\n")
    assert refused(tree, ["--date", "2026-11-23"], capsys) == (
        "new_week: docs/papers/vit.md:3: status must be one of queued, reading, read, not 'reeding'")


# -- writing -------------------------------------------------------------------------------


def test_create_file_never_replaces_a_file(tmp_path: Path):
    target = write(tmp_path / "a.md", "mine\n")
    with pytest.raises(Refusal, match=r"a\.md: already exists; not overwriting it"):
        create_file(target, "theirs\n", tmp_path)
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_a_file_made_between_the_check_and_the_write_is_kept(tree: Path, capsys, monkeypatch):
    """The check passes, then someone else writes the report: theirs stays."""
    plan = reports.plan_week

    def racing_plan(*args, **kwargs):
        week = plan(*args, **kwargs)
        write(week.path, "someone else's report\n")
        return week

    monkeypatch.setattr(reports, "plan_week", racing_plan)
    assert main(["--date", "2026-11-23"], root=tree) == 1
    assert capsys.readouterr().err == "new_week: docs/weekly/posts/2026-11-23.md: already exists; not overwriting it\n"
    assert (tree / "docs/weekly/posts/2026-11-23.md").read_text() == "someone else's report\n"
    no_temp_files(tree)


# -- the commands as a user runs them ----------------------------------------------------------


def test_the_script_runs_from_another_folder(tmp_path: Path):
    result = subprocess.run([str(ROOT / "tools/new_week"), "--dry-run", "--date", "2099-01-07"],
                            cwd=tmp_path, capture_output=True, text=True, env=script_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("would write docs/weekly/posts/2099-01-05.md:\n---\ndate: 2099-01-05\n")
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_and_unknown_option(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "tools.new_week", "--frobnicate"], cwd=ROOT,
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "new_week: error: unrecognized arguments: --frobnicate (see new_week --help)\n"


def test_sections_match_the_existing_reports():
    """The scaffold's headings are the ones the log's reports use."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "docs/weekly/posts").glob("*.md")]
    if not texts:
        pytest.skip("the log has no weekly reports yet")
    for heading in (reports.CODE_HEADING, reports.PAPERS_HEADING, reports.NEXT_HEADING):
        assert any(f"\n{heading}\n" in text for text in texts), heading


def test_the_new_report_builds_with_mkdocs_strict(tree: Path, capsys):
    assert main(["--date", "2026-11-25", "--category", "CV"], root=tree) == 0
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tree / "site")],
                            cwd=tree, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tree / "site/weekly/2026/11/23/weekly-report-from-20261123-to-20261129/index.html")
    html = page.read_text(encoding="utf-8") if page.exists() else ""
    if not html:  # the URL depends on the blog's settings; find the post by its title
        html = next(p.read_text(encoding="utf-8") for p in (tree / "site").rglob("*.html")
                    if "Weekly report from 2026.11.23 to 2026.11.29" in p.read_text(encoding="utf-8")
                    and "写 MAE 的笔记" in p.read_text(encoding="utf-8"))
    assert "写 MAE 的笔记" in html
    assert 'href="../../../../../papers/mae/"' in html or "papers/mae/" in html


def test_a_file_system_error_is_one_line_too(tree: Path, capsys, monkeypatch):
    def read_only(path, text, root):
        raise PermissionError(13, "Permission denied", "docs/weekly/posts")

    monkeypatch.setattr(reports, "create_file", read_only)
    assert main(["--date", "2026-11-23"], root=tree) == 1
    assert capsys.readouterr() == ("", "new_week: docs/weekly/posts: Permission denied\n")


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path):
    old = os.umask(0o022)
    try:
        create_file(tmp_path / "a.md", "x\n", tmp_path)
    finally:
        os.umask(old)
    assert (tmp_path / "a.md").stat().st_mode & 0o777 == 0o644


def test_the_script_without_a_venv_uses_python3(tmp_path: Path):
    """A checkout without .venv/: the wrapper runs python3 from PATH, on its own checkout."""
    root = make_tree(tmp_path / "checkout")
    copy_tools(root, "new_week")
    result = subprocess.run([str(root / "tools/new_week"), "--date", "2026-11-24"], cwd=tmp_path,
                            capture_output=True, text=True, env=script_env())
    assert (result.returncode, result.stdout, result.stderr) == (0, "docs/weekly/posts/2026-11-23.md\n", "")
    assert (root / "docs/weekly/posts/2026-11-23.md").read_text(encoding="utf-8") == EXPECTED
