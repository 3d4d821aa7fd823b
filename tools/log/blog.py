"""An old blog post's text made to build here: Liquid, images, math and code blocks.

convert_body takes what follows a post's front matter and returns it in the
form the strict build takes, with one message per thing it changed and per
thing it could not convert, each naming the post's file and line:

- Liquid: ``{% highlight py %}`` ... ``{% endhighlight %}`` become fences,
  ``{% raw %}`` and ``{% endraw %}`` go, ``{{ site.baseurl }}`` (and
  ``site.url``) is dropped; anything else (``{% include %}``) is reported and
  left as text.
- Images (``![alt](...)`` and ``<img src=...>``): absolute (``/img/x.png``, under
  the assets folder), relative (to the post, or Hexo's asset folder named after
  it) and backslashed (``\\img\\in-post\\x.png``) ones are copied into a folder
  beside the note, named after it, and the link points there. A missing image
  becomes a visible placeholder in the text. An external one (http...) becomes
  a plain link with its alt text, or with ``fetch`` is downloaded like a local one.
- Math: ``$$`` display blocks get lines of their own (with the list item's
  indentation and a blank line around), bare ``\\begin{align*}`` ... blocks are
  put inside ``$$``, ``$$x$$`` within a sentence and ``$ x $`` (spaces inside,
  which arithmatex does not take) become ``\\(x\\)``; inside math ``\\newline``
  becomes ``\\\\`` and ``\\label{...}`` goes (MathJax takes both, the build's
  converter neither).
- Python blocks: ``py``, ``python3`` ... fences become ``python``; a block that
  cannot run here (a syntax error, a module that is not installed, a file it
  reads, a name it takes from another block, CUDA) gets
  ``<!--pytest.mark.skip(reason="imported: not checked yet")-->``. Other
  languages are kept as they are.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

UNCHECKED = "imported: not checked yet"
SKIP_LINE = f'<!--pytest.mark.skip(reason="{UNCHECKED}")-->'

PYTHON_INFOS = {"python", "py", "python3", "py3", "ipython", "ipython3", "pycon"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
HIGHLIGHT = re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*highlight\s+(?P<lang>[\w+#.-]+)[^%]*-?%\}(?P<rest>.*)$")
END_HIGHLIGHT = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
ASSET_IMG = re.compile(r"\{%-?\s*asset_img\s+(?P<name>\S+)(?P<title>[^%]*?)\s*-?%\}")
SITE_URL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
LANGUAGES = {"py": "python", "python3": "python", "py3": "python", "js": "javascript", "sh": "bash",
             "shell": "bash", "c++": "cpp"}

MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\((?P<url><[^>\n]*>|[^)\s]+)(?P<title>\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?P<q>[\"']?)(?P<url>[^\"'\s>]+)(?P=q)[^>]*>", re.IGNORECASE)
# A link to a page of the old site (/2019/01/08/post/, /about/): MkDocs's strict build refuses absolute links.
SITE_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<url>/(?!/)[^)\s]*)(?:\s+\"[^\"\n]*\")?\)")
HTML_SIZE = re.compile(r"\b(width|height)\s*=\s*[\"']?([\w.%]+)[\"']?", re.IGNORECASE)
# What wraps an image on a line of its own in old posts, dropped with the HTML: centring, a paragraph, a figure.
WRAPPER = re.compile(r"</?(?:center|div|p|figure)\b[^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*([\"'])(?P<alt>.*?)\1", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
ENVIRONMENTS = r"align\*?|equation\*?|gather\*?|multline\*?|eqnarray\*?|alignat\*?"
BARE_ENV = re.compile(rf"^[ \t]*\\begin\{{({ENVIRONMENTS})\}}")
MARKDOWN_ESCAPE = re.compile(r"(?<!\\)\\([_*])")
LABEL = re.compile(r"\\label\{[^{}]*\}")
NEWLINE = re.compile(r"\\newline(?![A-Za-z])")
READS = {"open", "read_csv", "read_excel", "read_json", "read_table", "read_parquet", "load", "loadtxt",
         "imread", "load_state_dict_from_url", "genfromtxt", "ImageFolder"}


@dataclass
class Converted:
    body: str
    changes: list[str] = field(default_factory=list)  # "where:line: what was changed"
    problems: list[str] = field(default_factory=list)  # "where:line: what could not be converted"
    images: list[tuple[Path, bytes]] = field(default_factory=list)  # files to write beside the note
    external: list[str] = field(default_factory=list)  # "where:line: url"
    unchecked: list[tuple[int, str]] = field(default_factory=list)  # (line in the new body, why)
    formulas: int = 0
    blocks: int = 0  # Python blocks


@dataclass
class Context:
    post: Path  # the post's file
    where: str  # as messages show it
    first_line: int  # the body's first line in the post
    note: Path  # the note it becomes
    assets: Path | None = None  # the folder absolute image links refer to
    fetch: bool = False
    taken: set = field(default_factory=set)  # image paths already planned (this run)


def convert_body(body: str, context: Context) -> Converted:
    out = Converted("")
    lines = [(context.first_line + number, text) for number, text in enumerate(body.split("\n"))]
    lines = _liquid(lines, context, out)
    lines = _fences(lines, context, out)
    lines = _math(lines, context, out)
    lines = _images(lines, context, out)
    out.body = "\n".join(text for _, text, _, _ in lines)
    # the line of the fence (below its skip line), and the messages in the post's order
    out.unchecked = [(index + 2, why) for index, (_, _, _, why) in enumerate(lines) if why]
    out.changes.sort(key=_line_of)
    out.problems.sort(key=_line_of)
    return out


def _line_of(message: str) -> int:
    found = re.match(r".*?:(\d+): ", message)
    return int(found[1]) if found else 0


def _at(context: Context, line: int) -> str:
    return f"{context.where}:{line}"


# -- Liquid -------------------------------------------------------------------------------------


def _liquid(lines, context: Context, out: Converted):
    result = []
    raw = False  # inside {% raw %}: Liquid there is text, as Jekyll shows it
    for number, text in lines:
        match = HIGHLIGHT.match(text)
        if match:
            lang = LANGUAGES.get(match["lang"].lower(), match["lang"].lower())
            out.changes.append(f"{_at(context, number)}: {{% highlight {match['lang']} %}} -> ```{lang}")
            result.append((number, f"{match['indent']}```{lang}"))
            text = match["rest"]
            if not text.strip():
                continue
        if END_HIGHLIGHT.search(text):
            before, after = END_HIGHLIGHT.split(text, 1)
            if before.strip():
                result.append((number, before))
            indent = re.match(r"[ \t]*", text)[0]
            result.append((number, f"{indent}```"))
            if after.strip():
                result.append((number, after))
            continue
        if RAW.search(text):
            raw = "endraw" not in RAW.findall(text)[-1]
            out.changes.append(f"{_at(context, number)}: removed Liquid {{% raw %}}/{{% endraw %}}")
            text = RAW.sub("", text)
            if not text.strip():
                continue
        if ASSET_IMG.search(text):
            text = ASSET_IMG.sub(lambda m: f"![{(m['title'] or '').strip()}]({m['name']})", text)
            out.changes.append(f"{_at(context, number)}: {{% asset_img %}} -> an image link")
        if SITE_URL.search(text):
            out.changes.append(f"{_at(context, number)}: dropped {SITE_URL.search(text)[0]}")
            text = SITE_URL.sub("", text)
        for other in [] if raw else LIQUID.finditer(text):
            out.problems.append(f"{_at(context, number)}: Liquid {other[0][:60]} left as text (MkDocs does not "
                                "run Liquid)")
        result.append((number, text))
    return result


# -- fences and Python blocks --------------------------------------------------------------------


def _fences(lines, context: Context, out: Converted):
    """(line, text, in code, why skipped) per line; Python fences named python, unrunnable ones skipped."""
    result = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        match = FENCE.match(text)
        if not match:
            result.append((number, text, False, None))
            index += 1
            continue
        mark, info = match["mark"], match["info"]
        end = index + 1
        while end < len(lines):
            close = FENCE.match(lines[end][1])
            if close and close["mark"][0] == mark[0] and len(close["mark"]) >= len(mark) and not close["info"]:
                break
            end += 1
        code = "\n".join(line for _, line in lines[index + 1:end])
        words = info.strip("{}. ").split()
        lang = words[0].lower() if words else ""
        if lang in PYTHON_INFOS and "title=" in info:  # exported code (ours): tools/extract's, kept as it is
            result += [(line, body, True, None) for line, body in lines[index:end + 1]]
        elif lang in PYTHON_INFOS:
            out.blocks += 1
            opening = f"{match['indent']}```python"
            if text.strip() != "```python":
                out.changes.append(f"{_at(context, number)}: ```{info} -> ```python")
            previous = result[-1][1].strip() if result else ""
            why = None if previous.startswith("<!--pytest") else cannot_run(_dedent(code, match["indent"]))
            if why:
                out.changes.append(f"{_at(context, number)}: Python block skipped ({why}): {UNCHECKED}")
                result.append((number, match["indent"] + SKIP_LINE, True, why))
            result.append((number, opening, True, None))
            result += [(line, body, True, None) for line, body in lines[index + 1:end]]
            if end < len(lines):
                result.append((lines[end][0], f"{match['indent']}```", True, None))
        else:
            result += [(line, body, True, None) for line, body in lines[index:end + 1]]
        index = end + 1
    return result


def _dedent(code: str, indent: str) -> str:
    return "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in code.split("\n"))


def cannot_run(code: str) -> str | None:
    """Why a Python block cannot run on its own here, or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return f"not Python 3: {exc.msg}, line {exc.lineno}"
    defined = set(dir(builtins)) | {"__name__", "__file__"}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level:
                return "a relative import"
            for name in names:
                top = name.split(".")[0]
                if top and importlib.util.find_spec(top) is None:
                    return f"imports {top}, which is not installed here"
            defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            defined |= set(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            defined.add(node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0] if node.args else None
            if name in READS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                return f"reads {first.value}"
            if name == "cuda":
                return "runs on CUDA"
        if isinstance(node, ast.Constant) and node.value in ("cuda", "cuda:0"):
            return "runs on CUDA"
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in defined:
            return f"uses {node.id}, defined elsewhere"
    return None


# -- math ------------------------------------------------------------------------------------------


def _tex(tex: str, context: Context, number: int, out: Converted) -> str:
    fixed = NEWLINE.sub(r"\\\\", tex)
    if fixed != tex:
        out.changes.append(f"{_at(context, number)}: \\newline -> \\\\ in a formula")
    unescaped = MARKDOWN_ESCAPE.sub(r"\1", fixed)  # \_ and \* written to get past the Markdown engine
    if unescaped != fixed:
        out.changes.append(f"{_at(context, number)}: \\_ / \\* -> _ / * in a formula")
        fixed = unescaped
    if LABEL.search(fixed):
        out.changes.append(f"{_at(context, number)}: dropped {LABEL.search(fixed)[0]} (no equation references here)")
        fixed = LABEL.sub("", fixed)
    return fixed


def _math(lines, context: Context, out: Converted):
    result = []
    index = 0
    while index < len(lines):
        number, text, code, _ = lines[index]
        stripped = text.strip()
        if code:
            result.append(lines[index])
            index += 1
            continue
        env = BARE_ENV.match(text)
        glued = stripped.startswith("$$") and "$$" in stripped[2:] and stripped[stripped.index("$$", 2) + 2:].strip()
        if (stripped.startswith("$$") and not glued) or env:
            indent = re.match(r"[ \t]*", text)[0]
            if env:
                closer = re.compile(rf"\\end\{{{re.escape(env[1])}\}}")
                start_text, end_marker = stripped, None
            else:
                start_text, end_marker = stripped[2:], "$$"
            content, end = [], index
            first = start_text
            while True:
                piece = first if end == index else lines[end][1].strip()
                if end_marker and end_marker in piece:
                    content.append(piece[:piece.index(end_marker)])
                    rest = piece[piece.index(end_marker) + 2:]
                    break
                if not end_marker and closer.search(piece):
                    stop = closer.search(piece).end()
                    content.append(piece[:stop])
                    rest = piece[stop:]
                    break
                content.append(piece)
                end += 1
                if end >= len(lines) or lines[end][2]:
                    end = -1
                    break
            if end < 0:  # no closing $$: left for the build to report
                out.problems.append(f"{_at(context, number)}: display math without its closing $$")
                result.append(lines[index])
                index += 1
                continue
            tex = _tex("\n".join(part.strip() for part in content if part.strip()), context, number, out)
            out.formulas += 1
            new = [f"{indent}$$", *[f"{indent}{part}" for part in tex.split("\n")], f"{indent}$$"]
            old = [line for _, line, _, _ in lines[index:end + 1]]
            if result and result[-1][1].strip():
                new.insert(0, "")
            if rest.strip() or (end + 1 < len(lines) and lines[end + 1][1].strip()):
                new.append("")
            if [line.strip() for line in new if line.strip()] != [line.strip() for line in old if line.strip()] \
                    or len(new) != len(old):
                what = f"\\begin{{{env[1]}}} put inside $$" if env else "display math given lines of its own"
                out.changes.append(f"{_at(context, number)}: {what}")
            result += [(number, line, False, None) for line in new]
            if rest.strip():
                result.append((lines[end][0], indent + rest.strip(), False, None))
            index = end + 1
            continue
        result.append((number, _inline_math(text, context, number, out), False, None))
        index += 1
    return result


def _inline_math(text: str, context: Context, number: int, out: Converted) -> str:
    if "$" not in text and "\\newline" not in text:
        return text
    pieces, last = [], 0
    for span in CODE_SPAN.finditer(text):
        pieces.append((text[last:span.start()], False))
        pieces.append((span[0], True))
        last = span.end()
    pieces.append((text[last:], False))
    done = []
    for piece, verbatim in pieces:
        done.append(piece if verbatim else _dollars(piece, context, number, out))
    return "".join(done)


def _dollars(text: str, context: Context, number: int, out: Converted) -> str:
    result, position = [], 0
    while True:
        start = _dollar(text, position)
        if start < 0:
            result.append(text[position:])
            return "".join(result)
        double = text.startswith("$$", start)
        opening = 2 if double else 1
        end = text.find("$$" if double else "$", start + opening)
        while end > 0 and not double and text[end - 1] == "\\":
            end = text.find("$", end + 1)
        if end < 0:
            result.append(text[position:])
            return "".join(result)
        tex = text[start + opening:end]
        result.append(text[position:start])
        out.formulas += 1
        fixed = _tex(tex.strip(), context, number, out)
        if double or tex != tex.strip() or not tex.strip():
            if tex.strip():
                what = "$$...$$ within a line" if double else "$ ... $ with spaces inside"
                out.changes.append(f"{_at(context, number)}: {what} -> \\(...\\)")
                result.append(f"\\({fixed}\\)")
            else:
                result.append(text[start:end + opening])
        else:
            result.append(f"${fixed}$")
        position = end + opening


def _dollar(text: str, position: int) -> int:
    while True:
        found = text.find("$", position)
        if found <= 0 or text[found - 1] != "\\":
            return found
        position = found + 1


# -- images ------------------------------------------------------------------------------------------


def _images(lines, context: Context, out: Converted):
    result = []
    for number, text, code, why in lines:
        if not code and "](/" in text:
            text = _site_links(text, context, number, out)
        if code or ("![" not in text and "<img" not in text.lower()):
            result.append((number, text, code, why))
            continue

        def markdown(match: re.Match) -> str:
            url = match["url"].strip("<>")
            return _image(match["alt"], url, context, number, out, match[0], html=False)

        def tag(match: re.Match) -> str:
            alt = HTML_ALT.search(match[0])
            return _image(alt["alt"] if alt else "", match["url"], context, number, out, match[0], html=True)

        text = MD_IMAGE.sub(markdown, text)
        alone = HTML_IMAGE.fullmatch(WRAPPER.sub("", text).strip())
        if alone:  # an <img> on a line of its own: Markdown, whose link MkDocs resolves for the page's URL
            text = re.match(r"[ \t]*", text)[0] + _as_markdown(alone, context, number, out)
        else:
            if HTML_IMAGE.search(text):
                out.problems.append(f"{_at(context, number)}: an <img> inside other HTML: its link is written for "
                                    "the note's folder; check it on the built page")
            text = HTML_IMAGE.sub(tag, text)
        result.append((number, text, code, why))
    return result


def _as_markdown(match: re.Match, context: Context, number: int, out: Converted) -> str:
    alt = HTML_ALT.search(match[0])
    image = _image(alt["alt"] if alt else "", match["url"], context, number, out, match[0], html=False)
    if not image.startswith("!["):
        return image  # a placeholder or a link
    size = " ".join(f'{name}="{value}"' for name, value in HTML_SIZE.findall(match[0]))
    out.changes.append(f"{_at(context, number)}: <img> -> ![...](...)" + (f"{{ {size} }}" if size else ""))
    return image + (f"{{ {size} }}" if size else "")


def _site_links(text: str, context: Context, number: int, out: Converted) -> str:
    def plain(match: re.Match) -> str:
        out.problems.append(f"{_at(context, number)}: link to {match['url']} on the old site: its text kept, "
                            "the link dropped (link the note it became by hand)")
        return match["text"]

    pieces = re.split(r"(`+[^`\n]*?`+)", text)  # not inside code spans
    return "".join(piece if piece.startswith("`") else SITE_LINK.sub(plain, piece) for piece in pieces)


def _image(alt: str, url: str, context: Context, number: int, out: Converted, written: str, html: bool) -> str:
    here = _at(context, number)
    if url.startswith("data:"):
        return written
    if re.match(r"(?i)https?://|//", url):
        if context.fetch:
            try:
                with urllib.request.urlopen(url if not url.startswith("//") else "https:" + url, timeout=20) as got:
                    data = got.read(32 * 1024 * 1024)
            except (OSError, ValueError) as exc:
                out.problems.append(f"{here}: could not fetch {url} ({exc}); left as a link")
            else:
                name = PurePosixPath(urllib.parse.urlparse(url).path).name or "image"
                return _copied(alt, name, data, context, number, out, written, html, f"fetched {url}")
        out.external.append(f"{here}: {url}")
        out.changes.append(f"{here}: external image {url} -> a link (nothing is loaded from elsewhere)")
        label = alt or PurePosixPath(urllib.parse.urlparse(url).path).name or url
        return f'<a href="{url}">{label}</a>' if html else f"[{label}]({url})"
    local = urllib.parse.unquote(url.replace("\\", "/").split("?")[0].split("#")[0])
    source = _find(local, context)
    if source is None:
        out.problems.append(f"{here}: image {url} not found; a placeholder stands in its place")
        shown = (alt + " " if alt else "") + f"({local})"
        return f"<em>missing image: {shown}</em>" if html else f"*missing image: {shown}*"
    return _copied(alt, source.name, source.read_bytes(), context, number, out, written, html,
                   f"image {url} copied")


def _find(local: str, context: Context) -> Path | None:
    relative = local.lstrip("/")
    if not relative:
        return None
    candidates = []
    if local.startswith("/"):
        if context.assets is not None:
            candidates.append(context.assets / relative)
        else:  # the blog's root: a folder above the post (Jekyll), or its source/ (Hexo)
            for folder in context.post.resolve().parents[:4]:
                candidates += [folder / relative, folder / "source" / relative]
    else:
        folder = context.post.resolve().parent
        candidates += [folder / relative, folder / context.post.stem / relative]
        if context.assets is not None:
            candidates.append(context.assets / relative)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def _copied(alt: str, name: str, data: bytes, context: Context, number: int, out: Converted, written: str,
            html: bool, what: str) -> str:
    folder = context.note.parent / context.note.stem
    name = re.sub(r"[^\w.\-]+", "-", name).strip("-") or "image"
    stem, suffix = Path(name).stem, Path(name).suffix
    target, count = folder / name, 1
    while target in context.taken or target.exists():
        if target in context.taken and any(path == target and got == data for path, got in out.images):
            break  # the same image twice in one post: one file
        count += 1
        target = folder / f"{stem}-{count}{suffix}"
    if target not in context.taken:
        context.taken.add(target)
        out.images.append((target, data))
    link = f"{context.note.stem}/{target.name}"
    out.changes.append(f"{_at(context, number)}: {what} -> {link}")
    if html:
        return re.sub(r"(\bsrc\s*=\s*)([\"']?)[^\"'\s>]+\2", lambda m: f'{m[1]}"{link}"', written, count=1,
                      flags=re.IGNORECASE)
    return f"![{alt}]({link})"
