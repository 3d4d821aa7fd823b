"""What a new log starts with besides the machinery: its section pages, one
example note of each kind, the example's exported snippet and its test, and a
README. tools/new_log writes these once; --update never touches them.

The examples are small but real: the notebook fits a line and plots its loss;
the paper note is Adam (Kingma and Ba, 2015),
its exported ``snippets/adam.py`` is tested against ``torch.optim.Adam``, its
example block checks the size of Adam's first step, and the course note
checks softmax cross-entropy against ``torch.nn.functional.cross_entropy``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "examples"


def _initials(name: str) -> str:
    parts = [p for p in re.split(r"[\s._-]+", name) if p]
    letters = "".join(p[0] for p in parts[:2]).upper() or "?"
    return letters if letters.isascii() else name[:1]


def avatar_svg(name: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="20" '
            'fill="#5c6bc0"/><text x="20" y="26" text-anchor="middle" font-family="sans-serif" '
            f'font-size="16" fill="#fff">{html.escape(_initials(name))}</text></svg>\n')


def exported(note: str, path: str) -> str:
    """The module tools/extract writes from the note's exported fence. The note is the
    template below, whose one exported fence is found by its opening line, so that a new log
    can be made with a bare Python (no Markdown parser); tests/test_new_log.py checks the
    result against tools/extract."""
    from tools.log.snippets import Fence, render, split_info

    lines = note.splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith("```python title="))
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == "```")
    info = lines[start][3:].strip()
    language, attributes = split_info(info, f"{path}:{start + 1}")
    code = "\n".join(lines[start + 1:end]) + "\n"
    return render(path, [Fence(path, start + 1, info, language, attributes, code, ())])


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def files(*, title: str, author: str, name: str, today: dt.date) -> dict[str, str]:
    week = monday(today)
    return {
        "README.md": readme(title),
        "docs/index.md": home(title),
        "docs/tags.md": "# Tags\n\nEvery page by tag.\n\n<!-- material/tags -->\n",
        "docs/weekly/index.md": WEEKLY_INDEX,
        "docs/weekly/.authors.yml": authors(author, name),
        f"docs/assets/images/avatar-{author}.svg": avatar_svg(name),
        f"docs/weekly/posts/{week.isoformat()}.md": weekly_report(week, author),
        "docs/papers/index.md": PAPERS_INDEX,
        "docs/papers/reading-list.md": READING_LIST,
        "docs/papers/bibliography.md": BIBLIOGRAPHY,
        "docs/papers/adam.md": adam_note(today),
        "docs/references.bib": REFERENCES,
        "docs/courses/index.md": COURSES_INDEX,
        "docs/courses/softmax-regression.md": SOFTMAX_NOTE,
        "docs/notes/index.md": NOTES_INDEX,
        "docs/notebooks/index.md": NOTEBOOKS_INDEX,
        # Run once with tools/site/run_notebooks.py's kernel, outputs stored (the tests re-run it).
        "docs/notebooks/loss-curve.ipynb": (EXAMPLES / "loss-curve.ipynb").read_text(encoding="utf-8"),
        "snippets/adam.py": exported(adam_note(today), "docs/papers/adam.md"),
        "snippets/verified.json": "{}\n",
        "tests/notes/__init__.py": '"""Tests of this log\'s own notes and the snippets they export."""\n',
        "tests/notes/test_adam.py": ADAM_TEST,
    }


def readme(title: str) -> str:
    return f"""# {title}

A reading log whose code runs: weekly reports, paper notes and course notes
in Markdown, with formulas and PyTorch code that the tests execute, published
as a static site that searches in Chinese and English and works offline.

## Quick start

You need Python 3.10 or newer and pip. Each command first makes `.venv/` hold
exactly what `uv.lock` pins (a few minutes the first time, mostly PyTorch).

```sh
python3 tools/dev.py serve
```

builds the site and serves it at <http://127.0.0.1:8000>, rebuilding on every
save, and

```sh
python3 tools/dev.py test
```

runs the whole test suite: the strict build, every code block in the notes,
the tests of the exported snippets and of the tools. The browser tests drive
Debian's Chromium (`apt-get install chromium fonts-noto-cjk`); without it
they are skipped with a message that says so.

## Where things go

| what | where |
|---|---|
| weekly report | `docs/weekly/posts/YYYY-MM-DD.md` (the Monday): `tools/new_week` starts it |
| paper note | `docs/papers/<slug>.md`, its entry in `docs/references.bib`: `tools/new_paper KEY` starts it |
| course note | `docs/courses/<slug>.md` |
| anything else | `docs/notes/<slug>.md` |
| notebook | `docs/notebooks/<slug>.ipynb`, stored with its outputs (`tools/site/run_notebooks.py`) |
| exported code | a fence titled `snippets/<name>.py` in a note; `tools/extract` writes the module |
| tests of your snippets | `tests/notes/test_<name>.py` |

The examples (`docs/papers/adam.md` with `snippets/adam.py` and
`tests/notes/test_adam.py`, `docs/courses/softmax-regression.md`,
`docs/notebooks/loss-curve.ipynb`, this week's report) show each kind; edit
or delete them. Old notes come in with
`tools/import_post old-blog/_posts/ --into notes`, `tools/import_reading_log`
and `tools/import_chapters` (`--help` on each).

## The machinery and its updates

Everything outside `docs/`, `snippets/` (but `snippets/__init__.py`),
`tests/notes/` and this README is the papernotes machinery: `tools/`, the
build's hooks and assets, `tests/` (the tests of the tools), `.ci/`, the lock.
`.papernotes/machinery.json` records the sha256 of each of those files as
installed. To take a later version, from a newer checkout of papernotes:

```sh
path/to/papernotes/tools/new_log --update .
```

It replaces each machinery file this log has not changed, leaves alone the
ones changed here that the machinery did not change, and for a file changed
on both sides keeps yours and writes the new one beside it as `<file>.new`;
it prints what it did, file by file. Your notes, snippets and their tests
are never touched. `--dry-run` prints the same list and writes nothing.

## CI and the site

`.ci/run` is what CI runs (`.github/workflows/ci.yml`): it installs Chromium
and runs the test command above. On a push to `main` the workflow builds the
site with `SITE_URL` set to the repository's GitHub Pages address and
deploys it.
"""


def home(title: str) -> str:
    return f"""# {title}

A reading log whose code runs: every example block in these pages is executed
by the test suite, and every exported block shows where and when its code
last passed its tests.

- **[Weekly reports](weekly/index.md)**: what was coded, read and planned each week.
- **[Papers](papers/index.md)**: one note per paper, the [reading list](papers/reading-list.md) and the [bibliography](papers/bibliography.md).
- **[Courses](courses/index.md)**: course notes, chapter by chapter.
- **[Notes](notes/index.md)**: everything else.
- **[Tags](tags.md)**: everything by topic; **[Verified code](verified.md)**: what each exported module was tested against, where and when.

<!-- papernotes:home -->
"""


def authors(author: str, name: str) -> str:
    return (
        "# The log's authors: the id is what a report's `authors:` names.\n"
        "authors:\n"
        f"  {author}:\n"
        f"    name: {_quoted(name)}\n"
        "    description: Keeps this log\n"
        f"    avatar: assets/images/avatar-{author}.svg\n"
    )


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def weekly_report(week: dt.date, author: str) -> str:
    end = week + dt.timedelta(days=6)
    return f"""---
date: {week.isoformat()}
authors: [{author}]
categories:
  - Tools
tags:
  - Optimization
---

# Weekly report from {week:%Y.%m.%d} to {end:%Y.%m.%d}

The log's first week: an example of each kind of note, to edit or replace.

<!-- more -->

## 本周代码

- [x] Started the log with `tools/new_log`.
- [x] Wrote [Adam](../../papers/adam.md) [@kingma2015adam], with its update
  rule exported to `snippets/adam.py` and tested against `torch.optim.Adam`.

## 论文阅读

- [Adam](../../papers/adam.md): the update rule and its bias correction.

## 下周计划

- [ ] Replace the examples with this week's own notes.
"""


def adam_note(today: dt.date) -> str:
    return f"""---
title: "Adam: A Method for Stochastic Optimization"
tags:
  - Optimization
aliases: [Adam 优化器, 自适应矩估计]
bib: kingma2015adam
status: reading
added: {today.isoformat()}
started: {today.isoformat()}
---

# Adam: A Method for Stochastic Optimization

Adam [@kingma2015adam] keeps two exponential moving averages per parameter,
of the gradient $g_t$ and of its square, and divides the first by the root of
the second. Algorithm 1 of the paper, with step size $\\alpha$ and decay rates
$\\beta_1, \\beta_2 \\in [0, 1)$:

$$
\\begin{{aligned}}
m_t &= \\beta_1 m_{{t-1}} + (1 - \\beta_1) g_t, &
v_t &= \\beta_2 v_{{t-1}} + (1 - \\beta_2) g_t^2, \\\\
\\hat m_t &= \\frac{{m_t}}{{1 - \\beta_1^t}}, &
\\hat v_t &= \\frac{{v_t}}{{1 - \\beta_2^t}}, \\\\
\\theta_t &= \\theta_{{t-1}} - \\alpha \\frac{{\\hat m_t}}{{\\sqrt{{\\hat v_t}} + \\epsilon}}.
\\end{{aligned}}
$$

The paper's defaults are $\\alpha = 0.001$, $\\beta_1 = 0.9$,
$\\beta_2 = 0.999$ and $\\epsilon = 10^{{-8}}$. The moments start at zero, so
without the division by $1 - \\beta^t$ they would be biased towards zero in
the first steps.

```python title="snippets/adam.py"
import torch


@torch.no_grad()
def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    \"\"\"One step of Algorithm 1 at step t (from 1): updates param, m and v in place.\"\"\"
    beta1, beta2 = betas
    m.mul_(beta1).add_(grad, alpha=1 - beta1)
    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    param.sub_(lr * m_hat / (v_hat.sqrt() + eps))
```

`tests/notes/test_adam.py` compares this function with `torch.optim.Adam`
over 100 steps.

## The first step

At $t = 1$ the corrections undo the zero start exactly: $\\hat m_1 = g_1$ and
$\\hat v_1 = g_1^2$, so every parameter moves by
$\\alpha\\, g_1 / (|g_1| + \\epsilon)$, about $\\alpha$ whatever the size of its
gradient. The block checks that on gradients spread over six orders of
magnitude:

```python
import torch

from snippets.adam import adam_step

g = torch.tensor([1e-3, -0.5, 2.0, -300.0], dtype=torch.float64)
theta = torch.zeros_like(g)
m, v = torch.zeros_like(g), torch.zeros_like(g)
adam_step(theta, g, m, v, t=1, lr=1e-3)
expected = -1e-3 * g / (g.abs() + 1e-8)
assert torch.allclose(theta, expected, rtol=0, atol=1e-15)
assert torch.allclose(theta.abs(), torch.full_like(g, 1e-3), rtol=1e-5)
```

## Questions

- The effective step is bounded by about $\\alpha$ when
  $(1 - \\beta_1) \\le \\sqrt{{1 - \\beta_2}}$ (section 2.1 of the paper): with
  the defaults, $0.1 > \\sqrt{{0.001}} \\approx 0.032$, so how large can a step
  get when gradients are sparse?
"""


REFERENCES = """@inproceedings{kingma2015adam,
  title = {Adam: A Method for Stochastic Optimization},
  author = {Kingma, Diederik P. and Ba, Jimmy},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2015},
}
"""

WEEKLY_INDEX = """# Weekly reports

One report per ISO week (Monday to Sunday): what was coded, what was read,
what comes next. The newest report is first; older ones are in the archive
and under their categories. `tools/new_week` starts the week's report.
"""

PAPERS_INDEX = """# Papers

One note per paper: what it claims, the formulas that matter, and code that
checks them. Each note's front matter names its BibTeX entry and reading
status; `tools/new_paper KEY` starts one.
"""

READING_LIST = """# Reading list

Papers by reading status: what is being read now, what is queued, and what
has been read. A paper joins the list when its note names a `status`.

<!-- papernotes:reading-list -->
"""

BIBLIOGRAPHY = """# Bibliography

Every paper in `docs/references.bib`, by first author. A citation such as
`[@kingma2015adam]` in any note links to the paper's note, or here when it
has none.

<!-- papernotes:bibliography -->
"""

COURSES_INDEX = """# Courses

Notes taken while working through courses, chapter by chapter.
"""

NOTEBOOKS_INDEX = """# Notebooks

Notebooks for what reads best with its output beside the code: printed
metrics, tables, plots. Each page shows the notebook as stored in
`docs/notebooks/`; the tests run every notebook top to bottom and check that
its printed text is what is stored. After editing one, refresh its outputs
with `.venv/bin/python tools/site/run_notebooks.py`.

- [A loss curve](loss-curve.ipynb): the example, a line fitted by gradient descent.
"""

NOTES_INDEX = """# Notes

Notes that are neither weekly reports nor paper or course notes: posts brought
in from an old blog with `tools/import_post old/_posts/ --into notes`, and
anything else worth keeping.
"""

SOFTMAX_NOTE = """---
title: Softmax regression
tags:
  - PyTorch
aliases: [softmax 回归, 交叉熵损失]
---

# Softmax regression

Softmax 把 $K$ 个实数（logits）$o_1, \\dots, o_K$ 变成一个概率分布：

$$
\\hat y_j = \\operatorname{softmax}(\\mathbf{o})_j = \\frac{\\exp(o_j)}{\\sum_{k=1}^{K} \\exp(o_k)}.
$$

真实类别为 $y$ 时，交叉熵损失是 $-\\log \\hat y_y = \\log \\sum_k \\exp(o_k) - o_y$。
所有 logits 加同一个常数 $c$，分子分母同乘 $e^c$，结果不变；所以实现时先减去
$\\max_k o_k$，避免 $\\exp$ 溢出。下面的代码用这个写法算交叉熵，和
`torch.nn.functional.cross_entropy` 比较，也核对平移不变性：

```python
import torch
import torch.nn.functional as F


def cross_entropy(logits, target):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_z = shifted.exp().sum(dim=1).log()
    return (log_z - shifted.gather(1, target[:, None]).squeeze(1)).mean()


torch.manual_seed(0)
logits = torch.randn(8, 5, dtype=torch.float64) * 30
target = torch.randint(0, 5, (8,))
assert torch.allclose(cross_entropy(logits, target), F.cross_entropy(logits, target))
assert torch.allclose(cross_entropy(logits + 1000, target), F.cross_entropy(logits, target))
```
"""

ADAM_TEST = '''"""snippets/adam.py (docs/papers/adam.md) against torch.optim.Adam."""

from __future__ import annotations

import pytest
import torch

from snippets.adam import adam_step

ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_matches_torch_optim_adam_over_100_steps(device, dtype):
    g = torch.Generator(device=device).manual_seed(0)
    start = torch.randn(40, 30, generator=g, device=device, dtype=dtype)
    ours, theirs = start.clone(), start.clone().requires_grad_()
    m, v = torch.zeros_like(ours), torch.zeros_like(ours)
    reference = torch.optim.Adam([theirs], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    for t in range(1, 101):
        grad = torch.randn(start.shape, generator=g, device=device, dtype=dtype)
        adam_step(ours, grad, m, v, t)
        theirs.grad = grad.clone()
        reference.step()
    assert (ours - theirs.detach()).abs().max().item() <= ATOL[dtype]
    assert (ours - start).abs().max().item() > 1e-2  # it moved: 100 steps of about lr each
'''
