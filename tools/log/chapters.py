"""One long notes file cut into course notes: each ``## <n> <title>`` chapter a note of its own.

A course kept as one Markdown file (Typora's, say: ``## 12 权重衰减`` chapters,
``### 1. ...`` sections, images in ``./assets/``) becomes docs/courses/<slug>.md
per chapter, the slug made of the course's name, the chapter's number and the
Latin words of its title (``d2l-12-weight-decay``). A ``##`` section without a
number becomes a note too, under its title. In each note the chapter heading is
the title and the headings under it move up one level; images are copied into a
folder beside the note named after it and the links point there; a missing one
becomes a visible placeholder (``*missing image: ...*``), reported with its
file:line; an external one a plain link, since the site loads nothing from
elsewhere; a Python block gets ``<!--pytest.mark.skip(reason="imported: not
checked yet")-->``, since it was written for another machine.

A chapter whose note is there already (a course note with its title and the
course's tag) is skipped and reported; a file name that is taken gets a suffix
(``-2``). plan_chapters writes nothing; import_chapters writes every note and
image, or none of them (tools.log.files.write_files).

The helpers below (images, headings, Python blocks, slugs) are shared with
tools/log/reading_log.py, which imports a README reading log the same way.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tools.log.cli import Refusal, UsageError
from tools.log.files import read_text, shown, write_files
from tools.log.frontmatter import ALIASES, MARKDOWN, TextDates, front_matter_text, parse_front_matter

COURSES = Path("docs/courses")
UNCHECKED = "imported: not checked yet"
SKIP_LINE = f'<!--pytest.mark.skip(reason="{UNCHECKED}")-->'
PYTHON_INFOS = {"python", "py", "python3", "py3", "ipython", "ipython3"}
SKIP_MARK = re.compile(r"<!--\s*pytest(?:\.mark\.skip|-codeblocks:skip)")

CHAPTER = re.compile(r"(?P<number>\d+)(?:[.、:：]|\s)\s*(?P<title>\S.*)")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\((?P<url><[^>\n]*>|[^)\s]+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?P<q>[\"']?)(?P<url>[^\"'\s>]+)(?P=q)[^>]*>", re.IGNORECASE)
HTML_ATTRIBUTE = re.compile(r"\s([A-Za-z][\w\-]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>/]+)")
HTML_ALT = re.compile(r"\balt\s*=\s*([\"'])(?P<alt>.*?)\1", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+).+?\1")
SLUG_WORDS = 6  # Latin words of a title that go into a slug


# -- what both importers do to a piece of text ------------------------------------------------


@dataclass
class Piece:
    """A part of the source file turned into (part of) a note, and what was done to it."""

    text: str
    changes: list[str] = field(default_factory=list)  # "file:line: what changed"
    missing: list[str] = field(default_factory=list)  # "file:line: image ... not found"
    images: list[tuple[Path, bytes]] = field(default_factory=list)  # files to write beside the note


@dataclass(frozen=True)
class Source:
    """The file being imported: its lines and which of them are code."""

    path: Path
    where: str  # as messages name it
    lines: list[str]  # without their line ends
    code: frozenset[int]  # 0-based lines inside fences and indented code blocks
    tokens: list

    def at(self, index: int) -> str:
        return f"{self.where}:{index + 1}"


def read_source(path: Path, root: Path) -> Source:
    where = str(path)
    text = read_text(path, root, where)
    if not text.strip():
        raise Refusal(f"{where}:1: the file is empty; there is nothing to import")
    tokens = MARKDOWN.parse(text)
    code = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    return Source(path, where, text.splitlines(), frozenset(code), tokens)


def headings(source: Source) -> list[tuple[int, int, str]]:
    """(0-based line, level, text) of every heading, in order."""
    found = []
    for i, token in enumerate(source.tokens):
        if token.type == "heading_open" and token.map:
            found.append((token.map[0], int(token.tag[1]), source.tokens[i + 1].content.strip()))
    return found


def slug_words(text: str) -> list[str]:
    """The Latin words and numbers of a text, lower case: 'PyTorch 神经网络基础' -> ['pytorch']."""
    return re.findall(r"[a-z0-9]+", text.lower())


def free_path(folder: Path, stem: str, taken: set[Path]) -> Path:
    """folder/stem.md, or stem-2.md, stem-3.md ... when that exists or this run already plans it."""
    path, count = folder / f"{stem}.md", 1
    while path in taken or path.exists():
        count += 1
        path = folder / f"{stem}-{count}.md"
    taken.add(path)
    return path


def convert(source: Source, start: int, end: int, note: Path, root: Path, assets: Path | None,
            taken: set[Path], shift: int = 0) -> Piece:
    """Lines start..end-1 of the source as text for note: headings shifted by ``shift`` levels
    (-1: ``###`` becomes ``##``), images copied (or replaced), Python blocks marked skipped."""
    piece = Piece("")
    heading_lines = {line for line, _, _ in headings(source) if start <= line < end}
    fences = {token.map[0]: token for token in source.tokens
              if token.type == "fence" and token.map and start <= token.map[0] < end}
    out: list[str] = []
    for index in range(start, end):
        line = source.lines[index]
        if index in fences:
            token = fences[index]
            info = token.info.split()[0].lower() if token.info.split() else ""
            above = next((text for text in reversed(out) if text.strip()), "")
            if info in PYTHON_INFOS and not SKIP_MARK.search(above):
                indent = re.match(r"[ \t]*", line)[0]
                out.append(indent + SKIP_LINE)
                piece.changes.append(f"{source.at(index)}: Python block marked skipped ({UNCHECKED})")
        elif index not in source.code:
            if index in heading_lines and shift and line.lstrip().startswith("#"):
                marks = re.match(r"[ \t]*(#+)", line)[1]
                line = line.replace(marks, "#" * max(1, min(6, len(marks) + shift)), 1)
            line = _images(line, source, index, note, root, assets, taken, piece)
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    piece.text = "\n".join(out) + "\n" if out else ""
    return piece


def _images(line: str, source: Source, index: int, note: Path, root: Path, assets: Path | None,
            taken: set[Path], piece: Piece) -> str:
    if "![" not in line and "<img" not in line.lower():
        return line
    spans = [m[0] for m in CODE_SPAN.finditer(line)]  # inline code keeps its text
    pieces = CODE_SPAN.split(line)[::2] if spans else [line]

    def markdown(match: re.Match) -> str:
        return _image(match["alt"], match["url"].strip("<>"), match[0], False, source, index, note, root,
                      assets, taken, piece)

    def tag(match: re.Match) -> str:
        alt = HTML_ALT.search(match[0])
        return _image(alt["alt"] if alt else "", match["url"], match[0], True, source, index, note, root,
                      assets, taken, piece)

    done = [HTML_IMAGE.sub(tag, MD_IMAGE.sub(markdown, text)) for text in pieces]
    return "".join(text + (spans[i] if i < len(spans) else "") for i, text in enumerate(done))


def _image(alt: str, url: str, written: str, html: bool, source: Source, index: int, note: Path, root: Path,
           assets: Path | None, taken: set[Path], piece: Piece) -> str:
    here = source.at(index)
    if url.startswith("data:"):
        return written
    if re.match(r"(?i)https?://|//", url):
        label = alt or PurePosixPath(urllib.parse.urlparse(url).path).name or url
        piece.changes.append(f"{here}: external image {url} -> a link (the site loads nothing from elsewhere)")
        return f'<a href="{url}">{label}</a>' if html else f"[{label}]({url})"
    local = urllib.parse.unquote(url.replace("\\", "/").split("?")[0].split("#")[0])
    found = _find(local, source.path, assets)
    if found is None:
        piece.missing.append(f"{here}: image {url} not found; a placeholder stands in its place")
        shown_as = (alt + " " if alt else "") + f"({local})"
        return f"<em>missing image: {shown_as}</em>" if html else f"*missing image: {shown_as}*"
    data = found.read_bytes()
    folder = note.parent / note.stem
    name = re.sub(r"[^\w.\-]+", "-", found.name).strip("-") or "image"
    stem, suffix = Path(name).stem, Path(name).suffix
    target, count = folder / name, 1
    while target in taken or target.exists():
        if target in taken and any(path == target and got == data for path, got in piece.images):
            break  # the same image twice in one note: one file
        count += 1
        target = folder / f"{stem}-{count}{suffix}"
    if target not in taken:
        taken.add(target)
        piece.images.append((target, data))
    link = f"{note.stem}/{target.name}"
    piece.changes.append(f"{here}: image {url} copied -> {shown(target, root)}")
    if html:  # as Markdown, whose links MkDocs points at the page's URL (a blog post's is not its path)
        return f"![{alt}]({link}){_attributes(written)}"
    return f"![{alt}]({link})"


def _attributes(tag: str) -> str:
    """An <img> tag's attributes but src and alt, as attr_list writes them: '{ width="400" }'."""
    kept = []
    for name, value in HTML_ATTRIBUTE.findall(tag):
        value = value[1:-1] if value[0] in "\"'" else value
        if name.lower() not in ("src", "alt") and '"' not in value:
            kept.append(f'{name}="{value}"')
    return f"{{ {' '.join(kept)} }}" if kept else ""


def _find(local: str, source: Path, assets: Path | None) -> Path | None:
    relative = local.lstrip("/")
    if not relative or ".." in PurePosixPath(relative).parts:
        return None
    candidates = [source.parent / relative]
    if assets is not None:
        candidates += [assets / relative, assets / PurePosixPath(relative).name]
    return next((path for path in candidates if path.is_file()), None)


# -- chapters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    line: int  # 1-based line of its heading in the source
    heading: str
    note: Path | None  # None: skipped
    text: str
    changes: list[str]
    missing: list[str]
    images: list[tuple[Path, bytes]]
    skipped: str | None = None  # why it was not imported


@dataclass(frozen=True)
class ChapterImport:
    chapters: list[Chapter]
    left_out: list[str]  # "file:line: text outside every chapter, not imported"

    @property
    def written(self) -> list[Chapter]:
        return [chapter for chapter in self.chapters if chapter.note is not None]

    def files(self) -> list[tuple[Path, str]]:
        new: list[tuple[Path, str]] = []
        for chapter in self.written:
            new.append((chapter.note, chapter.text))
            new += [(path, data) for path, data in chapter.images]
        return new


def course_notes(root: Path) -> dict[tuple[str, str], Path]:
    """(title, tag) -> note, for every title and tag of the course notes under docs/courses."""
    found: dict[tuple[str, str], Path] = {}
    folder = root / COURSES
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        where = shown(path, root)
        data = parse_front_matter(read_text(path, root), where, loader=TextDates, lenient=True).data
        tags = data.get("tags") if isinstance(data.get("tags"), list) else []
        for tag in tags:
            found.setdefault((str(data.get("title", "")), str(tag)), path)
    return found


def plan_chapters(root: Path, source_path: Path, course: str, assets: Path | None = None) -> ChapterImport:
    """What importing the file's chapters would write, checked; writes nothing."""
    course = " ".join(course.split())
    if not course:
        raise UsageError("--course needs a name (it becomes the notes' tag)")
    if assets is not None and not assets.is_dir():
        raise UsageError(f"--assets {assets}: no such folder")
    source = read_source(source_path, root)
    found = headings(source)
    chapters = [(line, text) for line, level, text in found if level == 2]
    if not chapters:
        raise Refusal(f"{source.where}:1: no '## <n> <title>' chapters (second-level headings) to import")
    numbers = [CHAPTER.fullmatch(text) for _, text in chapters]
    width = max((len(m["number"]) for m in numbers if m), default=1)
    prefix = slug_words(course)[:3]
    known = course_notes(root)
    taken: set[Path] = set()
    ends = {}
    for line, level, _ in found:  # a chapter runs to the next heading of level 1 or 2
        for start, _ in chapters:
            if line > start and level <= 2 and start not in ends:
                ends[start] = line
    planned: list[Chapter] = []
    planned_titles: dict[str, int] = {}
    for (line, heading), number in zip(chapters, numbers):
        end = ends.get(line, len(source.lines))
        if number:
            words = [number["number"].zfill(width), *slug_words(number["title"])[:SLUG_WORDS]]
        else:
            words = slug_words(heading)[:SLUG_WORDS] or ["chapter"]
        at = source.at(line)
        if (heading, course) in known:
            planned.append(Chapter(line + 1, heading, None, "", [], [], [],
                                   f"{at}: '{heading}' is already in the log: {shown(known[heading, course], root)}"))
            continue
        if heading in planned_titles:
            planned.append(Chapter(line + 1, heading, None, "", [], [], [],
                                   f"{at}: a second chapter '{heading}' (the first is at line {planned_titles[heading]})"))
            continue
        if not any(text.strip() for text in source.lines[line + 1:end]):
            planned.append(Chapter(line + 1, heading, None, "", [], [], [], f"{at}: '{heading}' has no text"))
            continue
        planned_titles[heading] = line + 1
        note = free_path(root / COURSES, "-".join(prefix + words), taken)
        piece = convert(source, line + 1, end, note, root, assets, taken, shift=-1)
        changes = list(piece.changes)
        if note.stem != "-".join(prefix + words):
            changes.insert(0, f"{at}: {shown(note.parent / ('-'.join(prefix + words) + '.md'), root)} exists; "
                              f"named {shown(note, root)} instead")
        if not number:
            changes.insert(0, f"{at}: '{heading}' has no chapter number; imported as a note of its own")
        front = front_matter_text({"title": heading, "tags": [course], ALIASES: []})
        text = f"{front}\n# {heading}\n\n{piece.text}"
        planned.append(Chapter(line + 1, heading, note, text, changes, piece.missing, piece.images))
    inside = {i for start, _ in chapters for i in range(start, ends.get(start, len(source.lines)))}
    left_out = []
    for index, text in enumerate(source.lines):
        if index not in inside and text.strip():
            left_out.append(f"{source.at(index)}: outside every chapter, not imported: {text.strip()[:40]}")
    return ChapterImport(planned, left_out)


def import_chapters(root: Path, source: Path, course: str, assets: Path | None = None,
                    dry_run: bool = False) -> ChapterImport:
    """Write every chapter's note and images, all or none (unless dry_run); return the plan."""
    plan = plan_chapters(root, source, course, assets)
    if not dry_run and plan.files():
        write_files(root, plan.files())
    return plan
