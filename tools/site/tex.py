"""TeX as notes written for MathJax have it, rewritten into what latex2mathml reads.

latex2mathml knows most of what such notes use (align*, cases, the matrix
environments, \\operatorname, \\boldsymbol, \\mathbb, \\dfrac, \\coloneqq,
\\underbrace, \\overset, \\text with Chinese), but not a few habits MathJax
accepts: ``\\newline`` as a row break inside ``align*`` (about one formula in ten
on one real blog), ``\\arg``, ``\\label`` and ``\\nonumber``, ``\\operatorname*``,
``\\middle``, and ``\\tag``, which it prints as text in the formula's row.

``prepare`` rewrites those and nothing else, so a command neither knows (a typo
such as ``\\lamda``) still reaches latex2mathml and stays an error. It works on
the TeX as a string, token by token where a command's name or its braced
argument matters, and never changes what is inside ``\\text{...}``.

Two more pieces go around latex2mathml: ``mistake`` refuses what it would
otherwise guess at (an unbalanced brace, an unknown ``\\math...`` name, which
it drops silently), and ``sized_delimiters`` writes ``\\bigl\\langle`` and the
like as their characters, where latex2mathml leaves the command's name.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# A command name ends at the first character that is not a letter.
_END = r"(?![A-Za-z])"

# Dropped: equation labels and numbering switches (there is no numbering to
# switch off), spacing that only matters on paper.
_DROPPED = re.compile(r"\\(?:label|vspace\*?)\{[^{}]*\}|\\(?:nonumber|notag|relax|hfill|displaylimits|nolimits)" + _END)
# Rows break at \\ for latex2mathml; MathJax takes \newline and plain TeX's \cr too.
_ROW_BREAK = re.compile(r"\\(?:newline|cr)" + _END)
# \arg is an operator name MathJax knows and latex2mathml does not (\argmax it does).
_ARG = re.compile(r"\\arg" + _END)
# \ensuremath{x} in math is x.
_ENSUREMATH = re.compile(r"\\ensuremath" + _END)
# \hspace*{1em}: the star means "even at a line start", which MathML has no use for.
_HSPACE_STAR = re.compile(r"\\hspace\*")
# \middle| between \left and \right: the delimiter, as a relation where it is a bar.
_MIDDLE = re.compile(r"\\middle\s*(\\\||\\[A-Za-z]+|.)")
_TAG = re.compile(r"\\tag(\*?)\s*\{")
_OPERATORNAME = re.compile(r"\\operatorname(\*?)\s*\{")
# Spacing inside an operator's name (arg\,max): latex2mathml cannot take it there.
_NAME_SPACE = re.compile(r"\\[,;:! ]|~")
# Text inside a formula: kept as written, out of reach of the rewrites above.
_TEXT = re.compile(r"\\(?:text|textrm|textit|textbf|texttt|textsf|mbox)\s*\{")


@dataclass(frozen=True)
class Prepared:
    """The TeX for latex2mathml, and the formula's \\tag labels, in order, as written
    (``\\tag{1}`` gives ``(1)``, ``\\tag*{A}`` gives ``A``)."""

    tex: str
    tags: tuple[str, ...] = ()


def _braces(tex: str, start: int = 0):
    """(position, depth after it) for each brace of ``tex`` from ``start`` on,
    escaped ones (``\\{``) and the character after a backslash skipped."""
    depth = 0
    position = start
    while position < len(tex):
        char = tex[position]
        if char == "\\":
            position += 2
            continue
        if char in "{}":
            depth += 1 if char == "{" else -1
            yield position, depth
        position += 1


def braced(tex: str, start: int) -> int | None:
    """The index just past the group that opens with the ``{`` at ``start``, or None
    when it is never closed (the converter then reports the formula)."""
    return next((position + 1 for position, depth in _braces(tex, start) if depth == 0), None)


def _tags(tex: str) -> tuple[str, list[str]]:
    """The TeX without its \\tag{...} commands, and their labels."""
    out, labels, position = [], [], 0
    for match in _TAG.finditer(tex):
        if match.start() < position:
            continue
        end = braced(tex, match.end() - 1)
        if end is None:
            return tex, []
        body = tex[match.end():end - 1].strip()
        labels.append(body if match[1] else f"({body})")
        out.append(tex[position:match.start()])
        out.append(f"\u0000{len(labels) - 1}\u0000")
        position = end
    out.append(tex[position:])
    return "".join(out), labels


def _keep_text(tex: str) -> tuple[str, list[str]]:
    """The TeX with each \\text{...} group replaced by a placeholder, and the groups."""
    out, kept, position = [], [], 0
    for match in _TEXT.finditer(tex):
        if match.start() < position:
            continue
        end = braced(tex, match.end() - 1)
        if end is None:
            break
        out.append(tex[position:match.start()])
        out.append(f"\u0001{len(kept)}\u0001")
        kept.append(tex[match.start():end])
        position = end
    out.append(tex[position:])
    return "".join(out), kept


def _operatornames(tex: str) -> str:
    """\\operatorname*{arg\\,max} as \\mathop{\\mathrm{arg\\,max}}\\limits (limits below
    in display, as MathJax puts them); spacing inside a plain \\operatorname's name
    splits it into operator names side by side."""
    out, position = [], 0
    for match in _OPERATORNAME.finditer(tex):
        if match.start() < position:
            continue
        end = braced(tex, match.end() - 1)
        if end is None:
            break
        name = tex[match.end():end - 1]
        out.append(tex[position:match.start()])
        if match[1]:
            # A name of letters is set upright; a symbol (\Big\Vert) is taken as it is.
            upright = _NAME_SPACE.sub("", name).strip().isalpha()
            body = f"\\mathrm{{{name}}}" if upright else name
            out.append(f"\\mathop{{{body}}}\\limits")
        elif _NAME_SPACE.search(name):
            parts = [part.strip() for part in _NAME_SPACE.split(name) if part.strip()]
            out.append("\\,".join(f"\\operatorname{{{part}}}" for part in parts))
        else:
            out.append(tex[match.start():end])
        position = end
    out.append(tex[position:])
    return "".join(out)


def _middle(match: re.Match[str]) -> str:
    delimiter = match[1]
    if delimiter in ("|", "\\vert"):
        return "\\mid "
    if delimiter in ("\\|", "\\Vert"):
        return "\\parallel "
    return delimiter + " "


def prepare(tex: str) -> Prepared:
    """The formula as latex2mathml reads it, with its tags taken out.

    One tag in a formula becomes its label (the hook puts it at the right of a
    display formula); several, one per row of an align, stay where they are,
    each as text after a gap, since MathML Core has no labelled rows."""
    text, tags = _tags(tex)
    text, kept = _keep_text(text)
    text = _DROPPED.sub("", text)
    text = _ROW_BREAK.sub(r"\\\\", text)
    text = _ARG.sub(r"\\operatorname{arg}", text)
    text = _ENSUREMATH.sub("", text)
    text = _HSPACE_STAR.sub(r"\\hspace", text)
    text = _MIDDLE.sub(_middle, text)
    text = _operatornames(text)
    for number, original in enumerate(kept):
        text = text.replace(f"\u0001{number}\u0001", original)
    if len(tags) > 1:
        for number, label in enumerate(tags):
            text = text.replace(f"\u0000{number}\u0000", f"\\qquad\\text{{{label}}}")
        return Prepared(text)
    return Prepared(text.replace("\u00000\u0000", ""), tuple(tags))


# \big\langle, \Big\| and the like: latex2mathml sizes the delimiter but prints a
# command-named one as its name (<mo minsize="1.2em" ...>\langle</mo>).
DELIMITERS = {
    "\\langle": "\u27e8", "\\rangle": "\u27e9", "\\{": "{", "\\}": "}", "\\lbrace": "{", "\\rbrace": "}",
    "\\lbrack": "[", "\\rbrack": "]", "\\|": "\u2016", "\\Vert": "\u2016", "\\lVert": "\u2016",
    "\\rVert": "\u2016", "\\vert": "|", "\\lvert": "|", "\\rvert": "|", "\\lfloor": "\u230a",
    "\\rfloor": "\u230b", "\\lceil": "\u2308", "\\rceil": "\u2309", "\\uparrow": "\u2191",
    "\\downarrow": "\u2193", "\\updownarrow": "\u2195", "\\Uparrow": "\u21d1", "\\Downarrow": "\u21d3",
    "\\backslash": "\\", "\\/": "/",
}
_SIZED = re.compile(r'(<mo [^>]*minsize="[^"]*"[^>]*>)(\\[A-Za-z]+|\\.)(</mo>)')


def sized_delimiters(mathml: str) -> str:
    """The MathML with each sized delimiter named by a command written as its
    character; a name that is no delimiter stays, for the caller to report."""
    return _SIZED.sub(lambda m: m[1] + DELIMITERS[m[2]] + m[3] if m[2] in DELIMITERS else m[0], mathml)


# latex2mathml reads \math<letters>{X} as a font even for a name it does not
# know, and drops the name (\mathbbb{R} gives a plain R): only these are fonts.
MATH_COMMANDS = frozenset(
    "mathbb mathbf mathbin mathcal mathchoice mathclap mathclose mathfrak mathinner mathit mathllap "
    "mathnormal mathop mathopen mathord mathpunct mathrel mathring mathrlap mathrm mathscr mathsf "
    "mathsfit mathstrut mathtt".split()
)
_MATH_NAME = re.compile(r"\\(math[A-Za-z]*)")


def mistake(tex: str) -> str | None:
    """Why the formula is wrong where latex2mathml would guess (it closes an
    open brace, skips a stray closing one, drops an unknown \\math... name),
    or None."""
    depth = 0
    for _, depth in _braces(tex):
        if depth < 0:
            return "cannot parse (unbalanced braces: a } with no {)"
    if depth > 0:
        return "cannot parse (unbalanced braces: a { never closed)"
    for match in _MATH_NAME.finditer(tex):
        if match[1] not in MATH_COMMANDS:
            return f"unknown command \\{match[1]}"
    return None


# A sign with no operand before it is unary, as TeX sets it: no space either side
# ("[-1, 1]", "a = -b", "\sum_i -x"). MathML Core takes an <mo> in the middle of a
# row for an infix operator and puts a medium space on each side of it, so the
# converter's <mo>−</mo> after "[" reads like a subtraction.
SIGNS = frozenset("\u2212-+\u00b1\u2213")
_OPENING = frozenset("([{\u27e8\u230a\u2308")
_CLOSING = frozenset(")]}\u27e9\u230b\u2309")
# A bar opens or closes, in turn, within its row (|x| - 1, |-x|).
_BARS = frozenset("|\u2016\u2223\u2225")
# <mo>s that TeX counts as ordinary symbols: after them a sign is binary.
_ORDINARY = frozenset("\u221e\u2207\u2202\u22ef\u22ee\u22f1\u22f0\u2026\u2032\u2033")
_SCRIPTED = frozenset("msub msup msubsup munder mover munderover".split())
# Elements whose children are a row of atoms (a fraction's or a script's are not).
_ROWS = frozenset("math mrow mtd msqrt mstyle mpadded mphantom menclose merror".split())


def _operator(element, bars: dict[str, int]) -> str | None:
    """What ``element`` is to a sign that follows it: "operand" (the sign is
    binary), "operator" (an opening fence, a relation, punctuation, an operator:
    the sign is unary), or None for spacing, which TeX looks through."""
    core = element
    while core.tag in _SCRIPTED and len(core):
        core = core[0]  # \sum_i and )^n are what their base is
    if element.tag == "mspace":
        return "operator" if element.get("linebreak") == "newline" else None
    if core.tag != "mo":
        return "operand"
    text = html.unescape(core.text or "").strip()
    form = core.get("form")
    if text in _BARS and form is None:
        bars[text] = bars.get(text, 0) + 1
        return "operator" if bars[text] % 2 else "operand"
    if form == "postfix" or text in _CLOSING or text in _ORDINARY:
        return "operand"
    return "operator"


def unary_signs(math) -> None:
    """Mark each sign of the converter's MathML tree (an ElementTree element)
    that has no operand before it as ``form="prefix"``, which MathML Core sets
    without space, as TeX does: at the start of a row, after an opening fence,
    a comma, a relation, another operator or a large operator with its limits."""
    for parent in math.iter():
        if parent.tag not in _ROWS:
            continue
        before, bars = "operator", {}
        for child in parent:
            if (child.tag == "mo" and child.get("form") is None
                    and html.unescape(child.text or "").strip() in SIGNS and before == "operator"):
                child.set("form", "prefix")
                before = "operator"
                continue
            before = _operator(child, bars) or before


# θ' is θ with U+2032 as a superscript in the converter's MathML. The character is
# already a raised prime, and Chromium sets a script in a smaller size without the
# font's script variant of it (ssty), so the prime came out tiny and floating above.
PRIMES = frozenset("\u2032\u2033\u2034\u2057")


def _only_primes(element) -> str | None:
    """The primes that ``element`` (a superscript) consists of, or None."""
    if element.tag == "mrow" and len(element) == 1:
        element = element[0]
    if element.tag not in ("mi", "mo") or len(element):
        return None
    text = html.unescape(element.text or "").strip()
    return text if text and set(text) <= PRIMES else None


def primes(math) -> None:
    """Write each superscript of primes in the converter's MathML tree as the
    primes after their base, at the base's size: ``<msup><mi>θ</mi><mi>′</mi></msup>``
    becomes ``<mrow><mi>θ</mi><mo>′</mo></mrow>``, and with a subscript the
    subscript goes after the primes (θ′ₖ)."""
    from xml.etree.ElementTree import Element

    for parent in list(math.iter()):
        for index, child in enumerate(list(parent)):
            superscript = {"msup": 1, "msubsup": 2}.get(child.tag)
            if superscript is None or len(child) != superscript + 1:
                continue
            marks = _only_primes(child[superscript])
            if marks is None:
                continue
            primed = Element("mrow")
            primed.append(child[0])
            primed.append(Element("mo"))
            primed[1].text = marks
            if child.tag == "msup":
                replacement = primed
            else:
                replacement = Element("msub")
                replacement.extend([primed, child[1]])
            parent.remove(child)
            parent.insert(index, replacement)


# STIX Math builds | and ‖ taller only from an assembly whose extender cannot join
# another (its end connector is 0) and has no larger variants, so Chromium leaves
# \left\| \frac{a}{b} \right\| and \Big| at the glyph's own size. These bars are set
# in TeX Gyre Termes Math, which has both (papernotes.css: mo.pn-bar).
_GROWING_BARS = frozenset("|\u2016\u2223\u2225")


def growing_bars(math) -> None:
    """Mark each bar that is to grow (``stretchy="true"``, from \\left and \\right,
    or sized, ``minsize``, from \\big and the like) with ``class="pn-bar"``."""
    for element in math.iter("mo"):
        text = html.unescape(element.text or "").strip()
        if DELIMITERS.get(text, text) not in _GROWING_BARS:  # \Big\| is still \| here
            continue
        if element.get("stretchy") == "true" or element.get("minsize"):
            element.set("class", "pn-bar")


# Accents. The converter writes \hat and \widehat with an ASCII ^ (a caret, which
# the math font sets high above the letter, and \widehat's does not widen), and
# \bar, \dot, \ddot, \breve, \check, \acute, \grave, \mathring without accent="true",
# so that MathML Core leaves a gap under them as under a limit.
_CARET = "^"
_SPACING_ACCENTS = frozenset("\u00af\u02d9\u00a8\u02d8\u02c7\u00b4`\u02da")


def accents(math) -> None:
    """Set the converter's accents as accents: \\hat's caret as U+02C6 at its own
    width, \\widehat's as U+0302, which the font widens to its base, and the
    others' ``<mover>`` marked ``accent="true"``."""
    for mover in math.iter("mover"):
        if len(mover) != 2 or mover[1].tag != "mo":
            continue
        mark = mover[1]
        text = html.unescape(mark.text or "").strip()
        if text == _CARET:
            if mover.get("accent") == "true":  # \hat; \widehat has no accent attribute
                mark.text = "\u02c6"
                mark.set("stretchy", "false")
            else:
                mark.text = "\u0302"
            mover.set("accent", "true")
        elif text in _SPACING_ACCENTS:
            mover.set("accent", "true")
