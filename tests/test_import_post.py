"""tools/import_post on small trees written here: Jekyll and Hexo posts in, our front matter out."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import new_week
from tools.import_post import main
from tests.test_new_week import files, make_tree, no_temp_files, refused_by, script_env, write

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures/import"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "log", last_week=False)


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """The sample posts, copied: the tests name them by a path of their own."""
    return Path(shutil.copytree(FIXTURES, tmp_path / "old-blog"))


def body_of(path: Path) -> bytes:
    """What follows a post's front matter, as bytes."""
    data = path.read_bytes()
    if data.startswith(b"---"):
        return data.split(b"\n---\n", 1)[1]
    return data.split(b"\n---\n", 1)[1]  # Hexo without the opening line


# -- the happy paths -----------------------------------------------------------------------


def test_a_jekyll_weekly_report(tree: Path, blog: Path, capsys):
    post = blog / "2022-04-24-weekly-report.md"
    assert main([str(post)], root=tree) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "changed date: 2022-4-24 21:00:00 -> 2022-04-18 (the Monday of its week, 2022.04.18 to 2022.04.24)",
        "changed author: Lin Qiao -> authors: [lin]",
        "changed subtitle -> description: 2022 年第 16 周",
        "dropped layout: post",
        "dropped header-img: img/post-bg-2015.jpg",
        "dropped catalog: true",
        f"{post}:20: dropped {{{{ site.baseurl }}}}",
        f"could not convert: {post}:20: image /img/loss.png not found; a placeholder stands in its place",
        "wrote docs/weekly/posts/2022-04-18.md",
        "imported 1 post: 0 images copied, 0 formulas, 0 Python blocks (0 skipped as not checked yet)",
        f"  {post} -> docs/weekly/posts/2022-04-18.md: 1 changes, 0 images, 0 formulas, 0 Python blocks",
        f"    not converted: {post}:20: image /img/loss.png not found; a placeholder stands in its place",
    ]
    written = tree / "docs/weekly/posts/2022-04-18.md"
    assert written.read_text(encoding="utf-8").startswith(
        "---\ntitle: 周报：Lightning 模板和 H&M 比赛\ndate: 2022-04-18\nauthors: [lin]\ncategories: []\n"
        "tags: [PyTorch, Kaggle]\ndescription: 2022 年第 16 周\n---\n\n> 这是旧博客上的一篇周报")
    # The body is kept but for the image the build would not find: a visible placeholder now.
    assert body_of(written) == body_of(post).replace(b"![loss \xe6\x9b\xb2\xe7\xba\xbf]({{ site.baseurl }}/img/loss.png)",
                                                     "*missing image: loss 曲线 (/img/loss.png)*".encode())
    assert post.read_bytes() == (FIXTURES / post.name).read_bytes()  # the source is left alone
    no_temp_files(tree)


def test_a_hexo_weekly_report(tree: Path, blog: Path, capsys):
    post = blog / "hexo-weekly.md"
    assert main([str(post)], root=tree) == 0
    assert capsys.readouterr().out.splitlines() == [
        "changed date: 2022-05-01 20:30:00 -> 2022-04-25 (the Monday of its week, 2022.04.25 to 2022.05.01)",
        "added authors: [lin] (the post names no author)",
        "changed tags: PyTorch -> [PyTorch]",
        "changed categories: 学习 -> tags (not in mkdocs.yml's categories_allowed)",
        "changed categories: 周报 -> tags (not in mkdocs.yml's categories_allowed)",
        "dropped updated: 2022-05-02 09:00:00",
        "wrote docs/weekly/posts/2022-04-25.md",
    ]
    written = tree / "docs/weekly/posts/2022-04-25.md"
    assert written.read_text(encoding="utf-8").startswith(
        "---\ntitle: 第 17 周周报\ndate: 2022-04-25\nauthors: [lin]\ncategories: [Tools]\n"
        "tags: [PyTorch, 学习, 周报]\n---\n本周读了 MoCo")
    assert body_of(written) == body_of(post)


def test_an_imported_report_carries_over_into_new_week(tree: Path, blog: Path, capsys):
    assert main([str(blog / "hexo-weekly.md")], root=tree) == 0
    assert new_week.main(["--date", "2022-05-04"], root=tree) == 0
    text = (tree / "docs/weekly/posts/2022-05-02.md").read_text(encoding="utf-8")
    assert "<!-- 从上周（2022-04-25.md）延续的未完成项 -->\n- [ ] 读 MAE\n" in text


def test_a_jekyll_post_as_a_paper_note(tree: Path, blog: Path, capsys):
    write(tree / "docs/references.bib", (tree / "docs/references.bib").read_text()
          + "\n@inproceedings{he2016resnet,\n  title = {Deep Residual Learning for Image Recognition},\n"
            "  booktitle = {CVPR},\n  year = {2016}\n}\n")
    post = blog / "2021-11-3-resnet.md"
    assert main([str(post), "--as", "paper", "--bib", "he2016resnet"], root=tree) == 0
    assert capsys.readouterr().out.splitlines() == [
        "dropped author: Lin Qiao",
        "changed categories: Papers -> tags (notes have no categories)",
        "added status: read (--status picks another)",
        "changed date: 2021-11-3 10:15:00 +0800 -> added: 2021-11-03, finished: 2021-11-03",
        "dropped layout: post",
        "dropped catalog: true",
        "dropped comments: true",
        "wrote docs/papers/resnet.md",
    ]
    written = tree / "docs/papers/resnet.md"
    assert written.read_text(encoding="utf-8").startswith(
        "---\ntitle: Deep Residual Learning for Image Recognition\ntags: [CV, ResNet, Papers]\nbib: he2016resnet\n"
        "status: read\nadded: 2021-11-03\nfinished: 2021-11-03\n---\n\nResNet learns")
    assert body_of(written) == body_of(post)


def test_a_paper_note_without_a_key_says_so(tree: Path, blog: Path, capsys):
    assert main([str(blog / "2021-11-3-resnet.md"), "--as", "paper", "--slug", "resnet-v1", "--status", "queued"],
                root=tree) == 0
    out = capsys.readouterr().out
    assert "no bib key: give --bib KEY to link the note to its entry in docs/references.bib\n" in out
    assert "changed date: 2021-11-3 10:15:00 +0800 -> added: 2021-11-03\n" in out
    assert (tree / "docs/papers/resnet-v1.md").read_text(encoding="utf-8").startswith(
        "---\ntitle: Deep Residual Learning for Image Recognition\ntags: [CV, ResNet, Papers]\nstatus: queued\n"
        "added: 2021-11-03\n---\n")


def test_a_hexo_post_without_the_opening_line_as_a_course_note(tree: Path, blog: Path, capsys):
    post = blog / "hexo-no-opening-dashes.md"
    assert main([str(post), "--as", "course", "--slug", "adam"], root=tree) == 0
    assert capsys.readouterr().out.splitlines() == [
        "front matter had no opening '---' (Hexo allows that); ours has one",
        "changed date: 2022/5/8 14:00:00 -> 2022-05-08",
        "wrote docs/courses/adam.md",
    ]
    written = tree / "docs/courses/adam.md"
    assert written.read_text(encoding="utf-8") == (
        "---\ntitle: Adam 优化器笔记\ntags: [Optimizer]\ndate: 2022-05-08\n---\n"
        "Adam keeps running averages $m_t$ and $v_t$ of the gradient and its square.\n")


def test_crlf_lines_and_a_byte_order_mark(tree: Path, tmp_path: Path, capsys):
    """The body keeps its Windows line ends and every byte; the BOM before the front matter goes."""
    body = "\r\n本周\r\n\r\n- [ ] 读 ViT  \r\n\ttab\r\n\r\n\r\n"
    post = tmp_path / "win.md"
    post.write_bytes(("\ufeff---\r\ntitle: 周报\r\ndate: 2022-05-10\r\nauthor: lin\r\n---\r\n" + body).encode("utf-8"))
    assert main([str(post)], root=tree) == 0
    assert capsys.readouterr().out.splitlines() == [
        "dropped the UTF-8 byte order mark",
        "changed date: 2022-05-10 -> 2022-05-09 (the Monday of its week, 2022.05.09 to 2022.05.15)",
        "wrote docs/weekly/posts/2022-05-09.md",
    ]
    written = (tree / "docs/weekly/posts/2022-05-09.md").read_bytes()
    assert written == ("---\ntitle: 周报\ndate: 2022-05-09\nauthors: [lin]\ncategories: []\ntags: []\n---\n"
                       + body).encode("utf-8")


def test_date_from_a_jekyll_file_name_and_a_title_for_a_report_without_one(tree: Path, tmp_path: Path, capsys):
    post = write(tmp_path / "2022-5-17-notes.md", "---\nlayout: post\n---\n\n本周读了 ViT。\n")
    assert main([str(post), "--author", "wang"], root=tree) == 0
    assert capsys.readouterr().out.splitlines() == [
        "took the date 2022-05-17 from the file name",
        "changed date: 2022-05-17 -> 2022-05-16 (the Monday of its week, 2022.05.16 to 2022.05.22)",
        "added authors: [wang] (the post names no author)",
        "added title: Weekly report from 2022.05.16 to 2022.05.22 (the post has none)",
        "dropped layout: post",
        "wrote docs/weekly/posts/2022-05-16.md",
    ]


def test_dry_run_prints_and_writes_nothing(tree: Path, blog: Path, capsys):
    before = files(tree)
    assert main([str(blog / "hexo-weekly.md"), "--dry-run"], root=tree) == 0
    out = capsys.readouterr().out
    assert "\nwould write docs/weekly/posts/2022-04-25.md:\n---\ntitle: 第 17 周周报\n" in out
    assert out.endswith("## 下周计划\n\n- [ ] 读 MAE\n")
    assert files(tree) == before


# -- refusals: one line on stderr, a non-zero exit, nothing touched ------------------------


def refused(root: Path, argv: list[str], capsys, code: int = 1) -> str:
    return refused_by(lambda args: main(args, root=root), root, argv, capsys, code)


@pytest.mark.parametrize("name, message", [
    ("bad-date.md", "{post}:4: the date '2022-2-30 21:00:00' does not exist: day is out of range for month"),
    ("unreadable-date.md", "{post}:3: cannot read the date 'last sunday' (expected YYYY-MM-DD, with a time or not)"),
    ("bad-yaml.md", "{post}:3: front matter is not valid YAML: while scanning a quoted scalar, "
                    "found unexpected end of stream"),
    ("no-front-matter.md", "{post}:1: no front matter (a post starts with '---', then 'title:', 'date:' ..., "
                           "then '---')"),
])
def test_refuses_unreadable_posts(tree: Path, blog: Path, capsys, name: str, message: str):
    post = blog / name
    assert refused(tree, [str(post)], capsys) == "import_post: " + message.format(post=post)


def test_refuses_front_matter_that_is_not_closed(tree: Path, tmp_path: Path, capsys):
    post = write(tmp_path / "open.md", "---\ntitle: 周报\ndate: 2022-05-10\n\n本周……\n")
    assert refused(tree, [str(post)], capsys) == f"import_post: {post}:1: front matter is not closed (no second '---' line)"


def test_refuses_a_duplicated_field(tree: Path, tmp_path: Path, capsys):
    post = write(tmp_path / "twice.md", "---\ntitle: 周报\ndate: 2022-05-10\ndate: 2022-05-11\n---\n\nx\n")
    assert refused(tree, [str(post)], capsys) == f"import_post: {post}:4: 'date' appears twice in the front matter"


def test_refuses_a_post_without_a_date(tree: Path, tmp_path: Path, capsys):
    post = write(tmp_path / "undated.md", "---\ntitle: 周报\n---\n\nx\n")
    assert refused(tree, [str(post)], capsys) == (
        f"import_post: {post}:1: no date (no 'date:' in the front matter, no YYYY-MM-DD- in the file name)")


def test_refuses_a_post_that_is_not_a_weekly_report_without_as(tree: Path, blog: Path, capsys):
    post = blog / "2021-11-3-resnet.md"
    assert refused(tree, [str(post)], capsys) == (
        f"import_post: {post}:1: does not look like a weekly report; say what it is: --as paper, --as course or --as weekly")


def test_refuses_a_second_report_for_the_week(tree: Path, blog: Path, capsys):
    write(tree / "docs/weekly/posts/mine.md", "---\ndate: 2022-04-20\n---\n\nmy report\n")
    post = blog / "2022-04-24-weekly-report.md"
    assert refused(tree, [str(post)], capsys) == (
        f"import_post: docs/weekly/posts/mine.md:2: the report for the week of 2022-04-18 already exists; "
        f"not importing {post} over it")


def test_refuses_to_overwrite_a_note(tree: Path, blog: Path, capsys):
    write(tree / "docs/courses/adam.md", "my notes\n")
    assert refused(tree, [str(blog / "hexo-no-opening-dashes.md"), "--as", "course", "--slug", "adam"], capsys) == (
        "import_post: docs/courses/adam.md: already exists; not overwriting it")


def test_refuses_an_unknown_bib_key(tree: Path, blog: Path, capsys):
    assert refused(tree, [str(blog / "2021-11-3-resnet.md"), "--as", "paper", "--bib", "he2016resnet"], capsys) == (
        "import_post: docs/references.bib: no entry 'he2016resnet'; add it first (tools/new_paper --bib FILE)")


def test_refuses_a_second_note_for_a_bib_key(tree: Path, blog: Path, capsys):
    assert refused(tree, [str(blog / "2021-11-3-resnet.md"), "--as", "paper", "--bib", "he2020moco"], capsys) == (
        "import_post: docs/papers/moco.md:2: already the note for 'he2020moco'; one note per paper")


def test_refuses_an_unknown_author(tree: Path, blog: Path, capsys):
    assert refused(tree, [str(blog / "hexo-weekly.md"), "--author", "zhang"], capsys) == (
        "import_post: docs/weekly/.authors.yml: unknown author 'zhang' (known: lin, wang)")


def test_refuses_a_file_name_without_a_slug(tree: Path, tmp_path: Path, capsys):
    post = write(tmp_path / "读书笔记.md", "---\ntitle: x\ndate: 2022-05-10\n---\n\nx\n")
    assert refused(tree, [str(post), "--as", "course"], capsys) == (
        f"import_post: {post}: cannot make a file name from '读书笔记.md'; give one with --slug")


def test_refuses_a_missing_post(tree: Path, tmp_path: Path, capsys):
    assert refused(tree, [str(tmp_path / "nope.md")], capsys) == f"import_post: {tmp_path / 'nope.md'}: no such file"


def test_refuses_a_post_that_is_not_utf8(tree: Path, tmp_path: Path, capsys):
    post = tmp_path / "gbk.md"
    post.write_bytes("---\ntitle: 周报\n---\n".encode("gbk"))
    assert refused(tree, [str(post)], capsys) == f"import_post: {post}: not UTF-8 (byte 11)"


@pytest.mark.parametrize("argv, message", [
    (["--as", "weekly", "--slug", "x"], "import_post: error: --slug, --bib and --status are for notes (--as paper or --as course)"),
    (["--as", "paper", "--author", "lin"], "import_post: error: --author is for weekly reports"),
    (["--as", "course", "--status", "read"], "import_post: error: --bib and --status are for paper notes"),
    (["--as", "paper", "--status", "done"], "import_post: error: invalid status 'done': use one of queued, reading, read"),
    (["--as", "paper", "--slug", "A/B"], "import_post: error: invalid slug 'A/B': use lowercase letters, digits and hyphens"),
])
def test_refuses_bad_arguments(tree: Path, blog: Path, capsys, argv: list[str], message: str):
    assert refused(tree, [str(blog / "2021-11-3-resnet.md"), *argv], capsys, code=2) == message


@pytest.mark.parametrize("argv, message", [
    (["x.md", "--force"], "import_post: error: unrecognized arguments: --force (see import_post --help)"),
    # Python 3.12 stopped quoting the choices: compare without quotes.
    (["x.md", "--as", "blog"], "import_post: error: argument --as: invalid choice: blog (choose from course, "
                               "paper, weekly) (see import_post --help)"),
])
def test_refuses_unknown_options(tree: Path, capsys, argv: list[str], message: str):
    before = files(tree)
    with pytest.raises(SystemExit) as exit_:
        main(argv, root=tree)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err.replace("'", "")) == ("", message + "\n")
    assert files(tree) == before


# -- the commands as a user runs them ----------------------------------------------------------


def test_the_script_runs_from_another_folder(tmp_path: Path):
    post = write(tmp_path / "post.md", "---\ntitle: Weekly\ndate: 2099-1-7 10:00:00\nlayout: post\n---\n\nhi\n")
    result = subprocess.run([str(ROOT / "tools/import_post"), "post.md", "--dry-run"],
                            cwd=tmp_path, capture_output=True, text=True, env=script_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(
        "dropped layout: post\nwould write docs/weekly/posts/2099-01-05.md:\n"
        "---\ntitle: Weekly\ndate: 2099-01-05\nauthors: [lin]\ncategories: []\ntags: []\n---\n\nhi\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [post.name]


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "tools.import_post", "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("usage: import_post")
