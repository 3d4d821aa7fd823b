#!/usr/bin/env python3
"""How the site's build grows with the log: a synthetic corpus of N notes, built for real.

    python -m tools.bench.build                          # N = 100 500 1000 2000, before and after
    python -m tools.bench.build --sizes 100 1000 --variants after
    python -m tools.bench.build --quick                  # N = 10, for the tests

For each N it writes, in a temporary directory, a copy of the project
(mkdocs.yml, tools/, docs/ as they are) plus N notes shaped like ours: a
quarter weekly reports in docs/weekly/posts (blog front matter, Chinese
text), half paper notes in docs/papers (front matter with a BibTeX key that
is appended to docs/references.bib, English text, citations) and a quarter
course notes in docs/courses. Every note has about 1,500 words of Chinese and
English text, inline and display formulas, Python code blocks, a table and
tags. It then runs ``mkdocs build --strict`` on it, once per variant:

- ``after``: the configuration of this checkout (mkdocs.yml and tools/site/hooks/);
- ``before``: the same, less what the growth work changed: mkdocs.yml
  without ``navigation.prune``, without mkdocs-jupyter's ``ignore`` and
  without the hooks blog.py, prerender.py and search_worker.py (blog
  listings convert whole posts, one core), and tools/site/hooks/nav.py and
  mathml.py as they were at ``--before-rev`` (every note in the sidebar, no
  formula cache).

Reported per build: wall time, peak resident memory of the build process,
median HTML size of a page, total site size and search-index size. The table
goes to standard output and everything to ``benchmarks/site-<label>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.site.build import copy_project  # noqa: E402

BEFORE_REV = "594c0e1"  # the last commit before navigation pruning and the hook caches
SIZES = (100, 500, 1000, 2000)

# -- the corpus ---------------------------------------------------------------

ZH_WORDS = (
    "模型 训练 数据 对比学习 注意力 编码器 解码器 损失函数 梯度 优化器 学习率 批量 特征 表示 "
    "预训练 微调 下游任务 实验 结果 消融 基线 参数 收敛 泛化 过拟合 正则化 动量 队列 样本 "
    "负样本 温度 相似度 窗口 位置编码 归一化 残差 卷积 图像 文本 多模态 检索 分类 检测 分割 "
    "显存 速度 吞吐量 复现 代码 论文 作者 方法 问题 假设 证明 推导 直觉 比较 讨论 结论"
).split()
ZH_GLUE = "我们 这里 因此 但是 其实 同时 另外 首先 然后 最后 可以 需要 发现 认为 使用 得到 说明".split()
EN_WORDS = (
    "model training data contrastive attention encoder decoder loss gradient optimizer "
    "learning rate batch feature representation pretraining finetuning downstream experiment "
    "result ablation baseline parameter convergence generalization overfitting regularization "
    "momentum queue sample negative temperature similarity window position normalization "
    "residual convolution image text multimodal retrieval classification detection "
    "segmentation memory throughput reproduce paper method claim proof derivation intuition"
).split()
EN_GLUE = "the a of and to in that is we with for on this by as it from which".split()
FORMULAS = (
    r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t",
    r"\hat{v}_t = \frac{v_t}{1 - \beta_2^t}",
    r"\theta_k \leftarrow m \theta_k + (1 - m) \theta_q",
    r"\mathcal{L} = -\log \frac{\exp(q \cdot k_+ / \tau)}{\sum_{i=0}^{K} \exp(q \cdot k_i / \tau)}",
    r"\mathrm{softmax}(QK^\top / \sqrt{d_k}) V",
    r"\operatorname{sim}(q, k) = \frac{q^\top k}{\lVert q \rVert \lVert k \rVert}",
    r"y = x \odot m / (1 - p)",
    r"\sum_{i=1}^{n} x_i^2 \le \epsilon",
)
TAGS = [f"{name}" for name in (
    "CV NLP Multimodal Self-supervised Optimisation Transformers Contrastive Detection Segmentation "
    "Retrieval Generative Diffusion RL Graphs Audio Video Efficiency Theory Datasets Tools"
).split()]
CATEGORIES = ("CV", "NLP", "Multimodal", "Tools", "Competitions")


def _sentence(rng: random.Random, words, glue, n: int, sep: str, end: str) -> str:
    picked = [rng.choice(words) if rng.random() < 0.6 else rng.choice(glue) for _ in range(n)]
    return sep.join(picked) + end


def paragraph(rng: random.Random, chinese: bool, words: int = 60) -> str:
    """About ``words`` words (Chinese words count as one each), with one inline formula."""
    if chinese:
        text = "".join(_sentence(rng, ZH_WORDS, ZH_GLUE, 12, "", "。") for _ in range(words // 12))
    else:
        text = " ".join(_sentence(rng, EN_WORDS, EN_GLUE, 12, " ", ".").capitalize() for _ in range(words // 12))
    return text + f" ${rng.choice(FORMULAS)}$ " + (text[:40] if chinese else "and so on.")


def body(rng: random.Random, number: int, chinese_first: bool, cite: list[str]) -> str:
    """About 1,500 words: six sections of text, formulas, code, a table."""
    parts = []
    for section in range(6):
        heading = rng.choice(ZH_WORDS) + f"与{rng.choice(ZH_WORDS)}" if (section + chinese_first) % 2 else \
            f"{rng.choice(EN_WORDS).capitalize()} and {rng.choice(EN_WORDS)}"
        parts.append(f"## {heading} {section + 1}\n")
        for i in range(4):
            parts.append(paragraph(rng, chinese=(i + section + chinese_first) % 2 == 0) + "\n")
        parts.append(f"$$\n{rng.choice(FORMULAS)} + x_{{{number}}}\n$$\n")
        if section == 1:
            parts.append(
                "```python\nimport torch\n\n"
                f"x = torch.randn({number % 7 + 2}, 4)\n"
                "y = torch.nn.functional.softmax(x, dim=-1)  # (B, 4)\n"
                "assert torch.allclose(y.sum(-1), torch.ones(len(x)))\n```\n"
            )
        if section == 2:
            parts.append("| setting | top-1 | 备注 |\n|---|---|---|")
            for row in range(5):
                parts.append(f"| {rng.choice(EN_WORDS)} {row} | {rng.uniform(60, 90):.1f} | {rng.choice(ZH_WORDS)} |")
            parts.append("")
        if section == 3 and cite:
            parts.append(f"As discussed before [@{rng.choice(cite)}], 这个结论仍然成立。\n")
    return "\n".join(parts)


@dataclass(frozen=True)
class Corpus:
    weekly: int
    papers: int
    courses: int


def split(n: int) -> Corpus:
    weekly = n // 4
    papers = n // 2
    return Corpus(weekly, papers, n - weekly - papers)


def write_corpus(project: Path, n: int, seed: int = 0) -> Corpus:
    """Add n synthetic notes to the project copy at ``project``."""
    rng = random.Random(seed)
    corpus = split(n)
    docs = project / "docs"
    keys = [f"synth{i:05d}bench" for i in range(corpus.papers)]
    with (docs / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n% Synthetic entries written by tools/bench/build.\n")
        for i, key in enumerate(keys):
            bib.write(
                f"\n@inproceedings{{{key},\n"
                f"  author    = {{Author{i}, Alice and Writer, Bob}},\n"
                f"  title     = {{Synthetic Paper Number {i} on {rng.choice(EN_WORDS).capitalize()}}},\n"
                f"  booktitle = {{Proceedings of a Conference}},\n"
                f"  year      = {{{2015 + i % 10}}},\n}}\n"
            )
    (docs / "papers" / "synth").mkdir(parents=True, exist_ok=True)
    start = datetime.date(2021, 1, 4)  # a Monday
    for i, key in enumerate(keys):
        status = ("read", "reading", "queued")[i % 3]
        day = start + datetime.timedelta(days=i)
        front = (
            f"---\nbib: {key}\nstatus: {status}\nadded: {day.isoformat()}\n"
            f"tags:\n  - {rng.choice(TAGS)}\n  - {rng.choice(TAGS)}\n---\n\n"
        )
        text = f"# Synthetic paper {i}\n\n" + body(rng, i, chinese_first=False, cite=keys[:i][-20:])
        (docs / "papers" / "synth" / f"paper-{i:05d}.md").write_text(front + text, encoding="utf-8")
    (docs / "courses" / "synth").mkdir(parents=True, exist_ok=True)
    for i in range(corpus.courses):
        front = f"---\ntitle: 课程笔记 {i}\ntags:\n  - {rng.choice(TAGS)}\n---\n\n"
        text = f"# 课程笔记 {i}\n\n" + body(rng, i, chinese_first=True, cite=keys[-20:])
        (docs / "courses" / "synth" / f"course-{i:05d}.md").write_text(front + text, encoding="utf-8")
    posts = docs / "weekly" / "posts"
    monday = datetime.date(2010, 1, 4)
    for i in range(corpus.weekly):
        day = monday + datetime.timedelta(weeks=i)
        front = (
            f"---\ndate: {day.isoformat()}\nauthors:\n  - lin\ncategories:\n  - {rng.choice(CATEGORIES)}\n"
            f"tags:\n  - {rng.choice(TAGS)}\n---\n\n"
        )
        end = day + datetime.timedelta(days=6)
        text = (
            f"# Weekly report from {day:%Y.%m.%d} to {end:%Y.%m.%d}\n\n"
            + paragraph(rng, chinese=True) + "\n\n<!-- more -->\n\n"
            + body(rng, i, chinese_first=True, cite=keys[:20])
        )
        (posts / f"synth-{day.isoformat()}.md").write_text(front + text, encoding="utf-8")
    return corpus


# What the growth work changed, and how "before" undoes it in a copy.
LEVERS_YML = (
    "    - navigation.prune\n", '      ignore: ["*.md"]\n',
    "  - tools/site/hooks/blog.py\n", "  - tools/site/hooks/prerender.py\n", "  - tools/site/hooks/search_worker.py\n",
)
CHANGED_HOOKS = ("tools/site/hooks/nav.py", "tools/site/hooks/mathml.py")


def use_before(project: Path, rev: str) -> None:
    """Make the copy at ``project`` build as before the growth work: mkdocs.yml
    as it is now without the lines in LEVERS_YML, and the hooks in
    CHANGED_HOOKS as they were at git revision ``rev``."""
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    for line in LEVERS_YML:
        if line not in config:
            raise ValueError(f"mkdocs.yml has no line {line.strip()!r}: update LEVERS_YML in tools/bench/build.py")
        config = config.replace(line, "")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    for path in CHANGED_HOOKS:
        text = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True).stdout
        (project / path).write_bytes(text)


# -- building and measuring ---------------------------------------------------

@dataclass(frozen=True)
class Result:
    variant: str
    notes: int  # synthetic notes added
    pages: int  # HTML pages in the site
    build_s: float
    cpu_s: float  # user + system time of the build: less sensitive than build_s to a busy machine
    peak_rss_mb: float
    median_page_kb: float
    site_mb: float
    search_index_mb: float


def _run_measured(command: list[str], cwd: Path, env: dict, timeout: float, log) -> tuple[int, float, float, float]:
    """(exit status, seconds, CPU seconds, peak RSS in MB) of one child, from wait4's rusage."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise TimeoutError(f"{' '.join(command)} ran over {timeout:.0f} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(project: Path, variant: str, notes: int, timeout: float, env: dict[str, str] | None = None) -> Result:
    """Build the project once, timed; ``env`` adds to the build's environment."""
    site = project / "site"
    if site.exists():
        shutil.rmtree(site)
    env = {**os.environ, **(env or {}), "NO_MKDOCS_2_WARNING": "1", "OFFLINE": "false"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    with tempfile.TemporaryFile("w+") as log:
        code, seconds, cpu, rss = _run_measured(command, project, env, timeout, log)
        log.seek(0)
        text = log.read()
    if code != 0:
        raise RuntimeError(f"{variant}, N={notes}: mkdocs build --strict failed:\n{text[-3000:]}")
    pages = [p for p in site.rglob("*.html")]
    sizes = [p.stat().st_size for p in pages]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return Result(
        variant=variant, notes=notes, pages=len(pages), build_s=round(seconds, 2), cpu_s=round(cpu, 2), peak_rss_mb=round(rss, 1),
        median_page_kb=round(statistics.median(sizes) / 1024, 1), site_mb=round(total / 2**20, 2),
        search_index_mb=search_index_mb(site),
    )


def search_index_mb(site: Path) -> float:
    """Everything under search/: Material's one file, or the sharded index."""
    return round(sum(p.stat().st_size for p in (site / "search").rglob("*") if p.is_file()) / 2**20, 2)


def prepare(workdir: Path, n: int, variant: str, before_rev: str) -> Path:
    project = workdir / f"{variant}-{n}"
    copy_project(project)
    if variant == "before":
        use_before(project, before_rev)
    write_corpus(project, n)
    return project


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def table(results: list[Result]) -> str:
    head = ("variant", "notes", "pages", "build s", "CPU s", "peak MB", "median page KB", "site MB", "search index MB")
    rows = [head] + [
        (r.variant, str(r.notes), str(r.pages), f"{r.build_s:.1f}", f"{r.cpu_s:.1f}", f"{r.peak_rss_mb:.0f}", f"{r.median_page_kb:.1f}",
         f"{r.site_mb:.1f}", f"{r.search_index_mb:.2f}") for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of synthetic notes")
    parser.add_argument("--variants", nargs="+", choices=("before", "after"), default=["before", "after"])
    parser.add_argument("--before-max", type=int, default=None,
                        help="build 'before' only for N up to this (its builds grow with N squared)")
    parser.add_argument("--before-rev", default=BEFORE_REV, help=f"git revision of 'before' (default {BEFORE_REV})")
    parser.add_argument("--quick", action="store_true", help="N = 10, 'after' only, no JSON unless --json")
    parser.add_argument("--label", default=None, help="JSON file benchmarks/site-<label>.json (default: the date)")
    parser.add_argument("--json", type=Path, default=None, help="write the JSON here instead")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per build")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.variants = [10], ["after"]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="papernotes-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        for n in args.sizes:
            for variant in args.variants:
                if variant == "before" and args.before_max is not None and n > args.before_max:
                    continue
                project = prepare(workdir, n, variant, args.before_rev)
                result = measure(project, variant, n, args.timeout)
                results.append(result)
                print(f"bench_site: {variant:6} N={n:5}: {result.build_s:6.1f} s, {result.pages} pages, "
                      f"median page {result.median_page_kb} KB", file=sys.stderr, flush=True)
                if args.keep is None:
                    shutil.rmtree(project)
    print(table(results))
    record = {
        "benchmark": "site",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "before_rev": args.before_rev,
        "after_rev": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                    text=True).stdout.strip(),
        "results": [asdict(r) for r in results],
    }
    path = args.json
    if path is None and not args.quick:
        path = ROOT / "benchmarks" / f"site-{args.label or datetime.date.today().isoformat()}.json"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"bench_site: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
