"""Markdown of the benchmarks' records: what a benchmark prints when it has run and what the
performance page shows of its committed results, from the same record.

Imported by tools/bench/page.py, dropout.py and snippets.py; it imports none of tools/bench
(and not torch: the page is written without it).
"""

from __future__ import annotations

import math

# tools/bench/dropout.py's methods, in its order: the columns of the dropout table
DROPOUT_METHODS = ("mask multiply", "masked assignment", "F.dropout")


def stamp(record: dict) -> str:
    """*Measured on <machine>, <date>, load average <x> at the end.*"""
    where = record.get("machine") or {}
    name = record.get("device_name") or where.get("cpu", "unknown machine")
    cores = f", {where['cores']} cores" if where.get("cores") else ""
    load = record.get("load_average")
    busy = f", load average {load[0]:.1f} at the end" if load else ""
    return f"*Measured on {name}{cores}, {record['date']}{busy}.*"


def ms(value: float) -> str:
    """A time in ms to three significant digits: 46.2, 9.40, 0.742."""
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}" if value else "0"


def dropout_medians(rows: list[dict]) -> dict[int, dict[str, float]]:
    """{elements: {method: median µs}} from tools/bench/dropout.py's rows."""
    out: dict[int, dict[str, float]] = {}
    for r in rows:
        out.setdefault(r["elements"], {})[r["method"]] = r["median_us"]
    return dict(sorted(out.items()))


def dropout_table(rows: list[dict], names=DROPOUT_METHODS) -> str:
    """A Markdown table: one row per size, one column per method, and the ratio assignment / multiply."""
    lines = [
        "| elements | " + " | ".join(f"{name} (µs)" for name in names) + " | assignment / multiply |",
        "|---:|" + "---:|" * (len(names) + 1),
    ]
    for n, t in dropout_medians(rows).items():
        ratio = t["masked assignment"] / t["mask multiply"]
        lines.append(f"| {n:,} | " + " | ".join(f"{t[name]:,.1f}" for name in names) + f" | {ratio:.2f} |")
    return "\n".join(lines)


DEFAULT_MALLOC = (
    "Each benchmark in a fresh process, with malloc's defaults: glibc returns each freed block of more than 32 MB to the kernel, so "
    "a side that makes such tensors on every call (the readable Swin V2 path makes four of 64 MB) "
    "also pays a page fault per 4 KB of them, counted per call in `benchmarks/snippets-cpu.json`. "
    "The next table takes that cost away."
)
REUSED = (
    "The same benchmark with malloc told to keep freed memory for reuse (`mallopt`): no side takes page "
    "faults, and what is left is what the computations cost."
)


def snippets_section(record: dict) -> str:
    """The section of one run of tools/bench/snippets.py: its table of comparisons, and dropout's."""
    a, m, s = record["adam"], record["moco"], record["swin_v2"]
    yes = lambda ok: "yes" if ok else "no"  # noqa: E731
    reused = record.get("allocator") == "freed memory reused"
    lines = [
        f"## Snippets on {record['device'].upper()}" + (", freed memory reused" if reused else ""),
        "",
        "`python -m tools.bench.snippets" + (" --reuse-freed-memory" if reused else "")
        + "`: each pair timed in turns with `torch.utils.benchmark`, medians over rounds.",
        "",
    ]
    if record["device"] == "cpu":
        lines += [REUSED if reused else DEFAULT_MALLOC, ""]
    lines += [
        stamp(record) + f" torch {record['torch']}, {record['threads']} threads.",
        "",
        "| comparison | ours (ms) | reference (ms) | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| Adam step, {a['what']} | {ms(a['ms']['ours (snippets/adam.py)'])} | "
        f"{ms(a['ms']['torch.optim.Adam(foreach=True)'])} (`foreach=True`) | {a['ratio']:.2f} | "
        f"{a['target']} | {yes(a['met'])} |",
        f"| MoCo momentum update, {m['what']} | {ms(m['ms']['momentum_update (snippets/moco.py)'])} | "
        f"{ms(m['ms']['per-parameter loop'])} (the official loop) | {m['speedup']:.1f}x faster | {m['target']}x "
        f"| {yes(m['met'])} |",
    ]
    in_place = m["ms"].get("per-parameter loop, in place")
    if in_place is not None:
        lines.append(f"| MoCo momentum update | {ms(m['ms']['momentum_update (snippets/moco.py)'])} | {ms(in_place)} "
                     f"(loop, in place) | {in_place / m['ms']['momentum_update (snippets/moco.py)']:.1f}x faster | | |")
    floor = m["ms"].get("floor: one lerp_ over a flat tensor")
    if floor is not None:
        lines.append(f"| MoCo momentum update | {ms(m['ms']['momentum_update (snippets/moco.py)'])} | {ms(floor)} "
                     f"(one `lerp_` over a flat copy: the memory-bound floor) | "
                     f"{m['ms']['momentum_update (snippets/moco.py)'] / floor:.2f}x the floor | | |")
    extra = {  # sides timed on a CPU only
        "cosine_attention_sdpa": "`F.scaled_dot_product_attention` (the GPU's fast path)",
        "floor: the products and the softmax alone": "the two products and the softmax alone, in cache "
                                                     "(what every eager-PyTorch path still runs)",
    }
    for label, case in s["cases"].items():
        lines.append(
            f"| Swin V2 {s['what']}, {label} | {ms(case['ms']['fast'])} (fast) | {ms(case['ms']['readable'])} "
            f"(readable) | {case['speedup']:.1f}x faster | {s['target']}x | {yes(case['met'])} |"
        )
        for name, what in extra.items():
            if name in case["ms"]:
                lines.append(f"| Swin V2, {label}: {what} | {ms(case['ms'][name])} | "
                             f"{ms(case['ms']['readable'])} (readable) | "
                             f"{case['ms']['readable'] / case['ms'][name]:.2f}x | | |")
    lines += ["", f"`torch.optim.Adam(foreach=False)`: {ms(a['ms']['torch.optim.Adam(foreach=False)'])} ms.", ""]
    lines += ["Dropout, p = 0.5, each method drawing its own mask:", ""]
    lines.append(dropout_table(record["dropout"]["results"]))
    return "\n".join(lines)
