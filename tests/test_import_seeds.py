"""The seeds' own systems come in: seed 003 (a README reading log) with tools/import_reading_log and
seed 004 (one long course-notes file) with tools/import_chapters, each into a copy of the project
that must then build strictly. The counts are taken from the seed files here, independently."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
import shutil
from pathlib import Path

import pytest

from tools.import_chapters import main as import_chapters
from tools.import_reading_log import main as import_reading_log
from tools.log.bib import parse
from tools.log.reading_log import split_item
from tools.log.reports import week_of
from tools.site.build import copy_project, run_mkdocs
from tests.test_new_week import files, no_temp_files

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
LOG_SEED = next(iter(sorted(SEEDS.glob("003_*.txt"))), None)
COURSE_SEED = next(iter(sorted(SEEDS.glob("004_*.txt"))), None)
DAY = dt.date(2026, 12, 1)

pytestmark = pytest.mark.skipif(LOG_SEED is None or COURSE_SEED is None, reason=f"no seeds 003 and 004 in {SEEDS}")


def fold(text: str) -> str:
    return re.sub(r"[\W_]", "", text.lower())


def outside_fences(text: str) -> list[str]:
    """The seed's lines that are not inside a ``` fence."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif not inside:
            lines.append(line)
    return lines


def out_of(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Both seeds imported into one copy of the project, and that copy built strictly."""
    project = copy_project(tmp_path_factory.mktemp("seeds") / "project")
    before = files(project)
    outputs = {}
    for name, command, argv in (
            ("log", import_reading_log, [str(LOG_SEED), "--author", "yan", "--date", DAY.isoformat()]),
            ("course", import_chapters, [str(COURSE_SEED), "--course", "D2L"])):
        stream = io.StringIO()
        with contextlib.redirect_stdout(stream):
            assert command(argv, root=project) == 0
        outputs[name] = stream.getvalue().splitlines()
    site = project.parent / "site"
    built = run_mkdocs(site, cwd=project)
    return project, before, outputs, site, built


def test_the_imported_seeds_build_strictly(imported):
    project, _, _, _, built = imported
    assert built.returncode == 0, built.stderr[-3000:]
    no_temp_files(project)


def test_seed_003_pending_items_become_queued_notes_on_the_reading_list(imported):
    project, before, outputs, site, _ = imported
    pending = re.findall(r"^- \[ \] (.+)$", LOG_SEED.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(pending) == 11
    written = [line for line in outputs["log"] if line.startswith("  wrote docs/papers/")]
    skipped = [line for line in outputs["log"] if line.startswith("  skipped: ") and "in the log already" in line]
    assert len(written) + len(skipped) == len(pending)
    # Each one skipped names the note that has its paper: that note's entry has the item's title.
    papers = parse((project / "docs/references.bib").read_text(encoding="utf-8"))
    for line in skipped:
        note = project / line.rsplit(": ", 1)[1]
        key = re.search(r"^bib: (\S+)$", note.read_text(encoding="utf-8"), re.MULTILINE)[1]
        number = int(re.search(r"\.txt:(\d+):", line)[1])
        item = LOG_SEED.read_text(encoding="utf-8").splitlines()[number - 1]
        assert fold(item).startswith(fold(papers[key].title)), (line, papers[key].title)
    # The written ones: new notes, queued, each with a new entry, and each on the built reading list.
    page = (site / "papers/reading-list/index.html").read_text(encoding="utf-8")
    queued = page.split('id="queued-', 1)[1].split('id="read-', 1)[0]
    for line in written:
        path = line.split()[1]
        assert path not in before
        text = (project / path).read_text(encoding="utf-8")
        assert "\nstatus: queued\n" in text and f"\nadded: {DAY.isoformat()}\n" in text
        key = re.search(r"^bib: (\S+)$", text, re.MULTILINE)[1]
        assert key in papers and papers[key].kind == "misc"
        title = re.search(r"^# (.+)$", text, re.MULTILINE)[1]
        assert html.escape(title, quote=False) in queued
        assert f'href="../{Path(path).stem}/"' in queued


def test_seed_003_dated_sections_become_one_report_a_week(imported):
    project, before, outputs, site, _ = imported
    seed = LOG_SEED.read_text(encoding="utf-8")
    dates = [dt.date(*map(int, found)) for found in re.findall(r"^## (\d{4})\.(\d{1,2})\.(\d{1,2})$", seed, re.MULTILINE)]
    assert len(dates) == 14
    mondays = sorted({week_of(day)[0] for day in dates})
    reports = [line.split()[1] for line in outputs["log"] if line.startswith("  wrote docs/weekly/posts/")]
    assert reports == [f"docs/weekly/posts/{monday.isoformat()}.md" for monday in mondays]
    for monday in mondays:
        text = (project / f"docs/weekly/posts/{monday.isoformat()}.md").read_text(encoding="utf-8")
        assert text.startswith(f"---\ndate: {monday.isoformat()}\nauthors: [yan]\n")
        days = [f"{day.year}.{day.month}.{day.day}" for day in sorted(dates) if week_of(day)[0] == monday]
        assert re.findall(r"^### (.+)$", text, re.MULTILINE) == days  # oldest first
        assert (site / f"weekly/{monday:%Y/%m/%d}/index.html").is_file()
    # The seed's images are not in ../shared: each local one is a placeholder, reported; the
    # external one a plain link; nothing under the posts loads from elsewhere.
    local = re.findall(r'<img src="(pic/[^"]+)"', seed)
    assert not (LOG_SEED.parent / "pic").exists() and len(local) == 6
    missing = [line for line in outputs["log"] if line.startswith("    missing: ")]
    assert [re.search(r"image (\S+) not found", line)[1] for line in missing] == local
    reports_text = "".join((project / path).read_text(encoding="utf-8") for path in reports)
    assert reports_text.count("<em>missing image: ") == 6 and "<img" not in reports_text
    assert "[image](https://github.com/rui-sz/papers-weekly/assets/" in reports_text
    assert "![image](" not in reports_text


def test_seed_004_chapters_become_course_notes(imported):
    project, before, outputs, site, _ = imported
    seed = COURSE_SEED.read_text(encoding="utf-8")
    lines = outside_fences(seed)
    chapters = [line[3:] for line in lines if line.startswith("## ")]
    numbered = [line for line in chapters if re.match(r"\d+ ", line)]
    assert (len(chapters), len(numbered)) == (30, 29)
    written = [line.split()[1] for line in outputs["course"] if line.startswith("  wrote docs/courses/")]
    assert len(written) == len(chapters)
    assert outputs["course"][0] == (f"wrote {len(chapters)} course notes of {len(chapters)} chapters: 0 images "
                                    f"copied, {seed.count('./assets/')} missing (placeholders), 0 skipped")
    titles = []
    for path in written:
        assert path not in before and (site / Path(path).relative_to("docs").with_suffix("") / "index.html").is_file()
        text = (project / path).read_text(encoding="utf-8")
        titles.append(re.search(r"^# (.+)$", text, re.MULTILINE)[1])
        assert "\ntags: [D2L]\n" in text
    assert titles == chapters
    assert written[0] == "docs/courses/d2l-12-weight-decay.md"
    notes = "".join((project / path).read_text(encoding="utf-8") for path in written)
    # Every image is missing (../shared has no assets/): a placeholder each, reported with file:line.
    assert not (COURSE_SEED.parent / "assets").exists()
    assert notes.count("missing image: ") == seed.count("./assets/")
    reported = [line for line in outputs["course"] if line.startswith("    missing: ")]
    assert len(reported) == seed.count("./assets/")
    first = next(number for number, line in enumerate(seed.splitlines(), 1) if "./assets/" in line)
    assert reported[0].startswith(f"    missing: {COURSE_SEED}:{first}: image ./assets/")
    # Python blocks: every one skipped with the import's reason, none left to run.
    fences = seed.count("```python")
    assert notes.count('<!--pytest.mark.skip(reason="imported: not checked yet")-->\n```python') == fences == 5
    # The chapter's sections are the note's sections now.
    assert "\n## 1. self._modules" in (project / "docs/courses/d2l-16-pytorch.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("seed, command, argv", [
    ("003", import_reading_log, ["--date", DAY.isoformat()]),
    ("004", import_chapters, ["--course", "D2L"]),
])
def test_dry_run_writes_nothing_and_a_second_import_does_not_duplicate(tmp_path, capsys, seed, command, argv):
    project = copy_project(tmp_path / "project")
    source = LOG_SEED if seed == "003" else COURSE_SEED
    before = files(project)
    assert command([str(source), *argv, "--dry-run"], root=project) == 0
    dry = out_of(capsys)
    assert files(project) == before
    assert command([str(source), *argv], root=project) == 0
    done = out_of(capsys)
    assert [line.replace("would write", "wrote") for line in dry] == done
    after = files(project)
    assert after != before
    assert command([str(source), *argv], root=project) == 0
    again = out_of(capsys)
    assert files(project) == after
    assert again[0].startswith("wrote 0 ")
    assert not any(line.startswith("  wrote ") for line in again)


def test_images_are_copied_and_clashes_get_a_suffix(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    notes = tmp_path / "old" / "notes.md"
    (notes.parent / "assets").mkdir(parents=True)
    picture = bytes(range(256)) * 3
    (notes.parent / "assets" / "loss.png").write_bytes(picture)
    notes.write_text("# 课程\n\n## 1 Intro\n\n<img src=\"./assets/loss.png\" alt=\"loss\" style=\"zoom:50%\"/>\n\n"
                     "![gone](./assets/gone.png) and `![kept](./assets/kept.png)`\n\n## 2 More\n\ntext\n",
                     encoding="utf-8")
    (project / "docs/courses/demo-1-intro.md").write_text("---\ntitle: Another\n---\n\n# Another\n", encoding="utf-8")
    assert import_chapters([str(notes), "--course", "Demo"], root=project) == 0
    out = out_of(capsys)
    assert out[0] == "wrote 2 course notes of 2 chapters: 1 images copied, 1 missing (placeholders), 0 skipped"
    assert f"    {notes}:3: docs/courses/demo-1-intro.md exists; named docs/courses/demo-1-intro-2.md instead" in out
    assert f"  not imported: {notes}:1: outside every chapter, not imported: # 课程" in out
    text = (project / "docs/courses/demo-1-intro-2.md").read_text(encoding="utf-8")
    assert '![loss](demo-1-intro-2/loss.png){ style="zoom:50%" }' in text
    assert "*missing image: gone (./assets/gone.png)* and `![kept](./assets/kept.png)`" in text
    assert (project / "docs/courses/demo-1-intro-2/loss.png").read_bytes() == picture
    assert (project / "docs/courses/demo-1-intro.md").read_text(encoding="utf-8").startswith("---\ntitle: Another")
    built = run_mkdocs(tmp_path / "site", cwd=project)
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site/courses/demo-1-intro-2/index.html").read_text(encoding="utf-8")
    shown = re.search(r'<img alt="loss" src="([^"]+)" style="zoom:50%"', page)[1]
    assert (tmp_path / "site/courses/demo-1-intro-2" / shown).resolve().read_bytes() == picture


def test_pending_items_title_comment_and_year():
    item = split_item("Learning phrase representations using rnn encoder-decoder for statistical machine "
                      "translation2014年，提出了GRU", 10)
    assert (item.title, item.comment, item.year) == (
        "Learning phrase representations using rnn encoder-decoder for statistical machine translation",
        "2014年，提出了GRU", "2014")
    item = split_item("StyleDrop: Text-to-Image Generation in Any Style 通过文字改变发型等", 14)
    assert (item.title, item.comment, item.year) == ("StyleDrop: Text-to-Image Generation in Any Style", "通过文字改变发型等", None)
    assert split_item("GNN 论文总结", 12).title == "GNN 论文总结"  # one Latin word: all of it is the title
    item = split_item("[ViT](https://arxiv.org/abs/2010.11929) 先读\nTBD", 3)
    assert (item.title, item.url, item.comment) == ("ViT 先读", "https://arxiv.org/abs/2010.11929", "TBD")


@pytest.mark.parametrize("command, text, argv, message", [
    (import_reading_log, "# log\n\n## 2023.2.30\n\ntext\n", [],
     "import_reading_log: {file}:3: '2023.2.30' is not a date (day is out of range for month)"),
    (import_reading_log, "## 2023.6.1\n\ntext\n", ["--author", "nobody"],
     "import_reading_log: docs/weekly/.authors.yml: unknown author 'nobody' (known: lin, mei, yan, ke)"),
    (import_chapters, "# notes\n\ntext only\n", ["--course", "D2L"],
     "import_chapters: {file}:1: no '## <n> <title>' chapters (second-level headings) to import"),
    (import_chapters, "## 1 a\n\nb\x1b\n", ["--course", "D2L"],
     "import_chapters: {file}:3:2: control character U+001B; remove it (only tabs and line ends belong in text)"),
])
def test_bad_input_is_one_located_line_and_nothing_written(tmp_path, capsys, command, text, argv, message):
    project = copy_project(tmp_path / "project")
    source = tmp_path / "in.md"
    source.write_text(text, encoding="utf-8")
    before = files(project)
    assert command([str(source), *argv], root=project) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message.format(file=source)]
    assert files(project) == before


def test_a_reading_log_with_its_images(tmp_path, capsys):
    """Seed 003 beside a pic/ folder that has one of its images: that one is copied beside the report."""
    project = copy_project(tmp_path / "project")
    folder = tmp_path / "papers-weekly"
    (folder / "pic").mkdir(parents=True)
    log = folder / "README.md"
    shutil.copy(LOG_SEED, log)
    picture = bytes(range(256)) * 5
    (folder / "pic/CLIPasso1.png").write_bytes(picture)
    assert import_reading_log([str(log), "--date", DAY.isoformat()], root=project) == 0
    out = out_of(capsys)
    assert out[0].endswith("1 images copied, 5 missing (placeholders), 6 skipped")
    assert f"    {log}:30: image pic/CLIPasso1.png copied -> docs/weekly/posts/2023-06-12/CLIPasso1.png" in out
    text = (project / "docs/weekly/posts/2023-06-12.md").read_text(encoding="utf-8")
    assert '![](2023-06-12/CLIPasso1.png){ width="400" height="200" }' in text
    assert (project / "docs/weekly/posts/2023-06-12/CLIPasso1.png").read_bytes() == picture
    built = run_mkdocs(tmp_path / "site", cwd=project)
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site/weekly/2023/06/12/index.html").read_text(encoding="utf-8")
    source = re.search(r'<img [^>]*src="([^"]*CLIPasso1\.png)"', page)[1]
    assert (tmp_path / "site/weekly/2023/06/12" / source).resolve().read_bytes() == picture
