"""The performance page's section on the notes' fast paths: what each snippet was measured
against, and why its figures come out as they do.

Each subsection is written from committed results (benchmarks/snippets-*.json,
dropout-*.json, swin-shapes-cpu.log, swin-parts-cuda.log) and left out when
they are missing. Figures from runs that left no file under benchmarks/ are
quoted as such. The notes link to these headings:

    docs/courses/adam.md             #adam-the-fast-path-on-each-device
    docs/papers/moco.md              #moco-the-momentum-update
    docs/papers/swin-transformer-v2.md  #swin-v2-cosine-attention-on-a-cpu, #swin-v2-cosine-attention-on-a-gpu
    docs/courses/dropout.md          #dropout-mask-multiply-or-masked-assignment

Imports tools/bench/tables.py only.
"""

from __future__ import annotations

import math
import re

from tools.bench.tables import dropout_medians, dropout_table, ms, stamp

INTRO = """\
## The notes' fast paths

What the tables above say about each note's code, and what else was measured
on the way. The notes keep the ideas and the code; the figures are here."""

OURS, TRUE, FALSE = "ours (snippets/adam.py)", "torch.optim.Adam(foreach=True)", "torch.optim.Adam(foreach=False)"
MOCO, LOOP, IN_PLACE, FLOOR = ("momentum_update (snippets/moco.py)", "per-parameter loop",
                               "per-parameter loop, in place", "floor: one lerp_ over a flat tensor")
VIEWS = "bias + mask, the module's q, k, v (views of one qkv tensor)"
SDPA, PRODUCTS = "cosine_attention_sdpa", "floor: the products and the softmax alone"
NOT_COMMITTED = "figures not kept under `benchmarks/`"


def _x(a: float, b: float) -> str:
    return f"{a / b:.1f}x"


def _range(values, digits: int = 2) -> str:
    return f"{min(values):.{digits}f}x to {max(values):.{digits}f}x"


def adam_section(cpu: dict | None, reused: dict | None, cuda: dict | None) -> str | None:
    if not (cpu or cuda):
        return None
    lines = [
        "### Adam: the fast path on each device",
        "",
        "The note's fast path (`fast=True`) does torch's arithmetic in place with list-wide operations "
        "(`torch._foreach_*`), and what pays depends on the device.",
    ]
    if cuda:
        a = cuda["adam"]["ms"]
        lines += ["", "On a GPU every operation on every parameter is a kernel launch of a few microseconds, and "
                  "the model of the benchmark (24 linear layers) has 48 parameters: one parameter at a time, the "
                  "fast path took 3.5 ms a step on an H100 against 0.8 ms for `torch.optim.Adam(foreach=True)` "
                  f"({NOT_COMMITTED}); over the whole list it takes {ms(a[OURS])} ms, against {ms(a[TRUE])} ms "
                  f"for `foreach=True` (the CUDA table, {cuda['device_name']})."]
    if cpu:
        a = cpu["adam"]["ms"]
        text = ("On a CPU the list-wide temporaries would be as large as the model, so the fast path goes one "
                f"parameter at a time there (one-element lists): {ms(a[OURS])} ms a step on {cpu['threads']} "
                f"threads, against {ms(a[TRUE])} ms for `foreach=True` and {ms(a[FALSE])} ms for `foreach=False`")
        if reused:
            r = reused["adam"]["ms"]
            text += (f"; with malloc keeping freed memory, so that the temporaries cost no page faults, "
                     f"{ms(r[OURS])} ms against {ms(r[TRUE])} and {ms(r[FALSE])} ms")
        lines += ["", text + "."]
    return "\n".join(lines)


def moco_section(cpu: dict | None) -> str | None:
    if not cpu:
        return None
    m = cpu["moco"]["ms"]
    return "\n".join([
        "### MoCo: the momentum update",
        "",
        "On a CPU the per-parameter loop costs little per tensor and the update is limited by memory "
        "bandwidth: `torch._foreach_lerp_` gains by not allocating and by one pass over memory instead of "
        f"three. In the CPU table (both cores, the benchmark in a process of its own), for two ResNet-50 "
        f"encoders: {ms(m[MOCO])} ms against {ms(m[LOOP])} ms for the official loop ({_x(m[LOOP], m[MOCO])}) "
        f"and {ms(m[IN_PLACE])} ms for a loop of in-place `mul_` and `add_` ({_x(m[IN_PLACE], m[MOCO])}). "
        f"One `lerp_` over a single flat tensor as large as all the parameters took {ms(m[FLOOR])} ms in that "
        "run, the floor for any update that reads both encoders and writes one, so no update could have been "
        f"more than {_x(m[LOOP], m[FLOOR])} faster than that loop there.",
        "",
        "The machine's memory speed varies from run to run: in six runs earlier that day "
        f"({NOT_COMMITTED}) the update took 3.9 to 4.3 ms, the official loop 15.7 to 22.4 ms (4.1x to 5.4x) "
        "and the floor 2.7 to 3.1 ms: an update at the floor would have been 5.7x to 7.7x faster than the "
        f"loop. What keeps the update at {m[MOCO] / m[FLOOR]:.2f} times the floor in the table is per-tensor "
        "work: `torch._foreach_lerp_` runs one `lerp_` per tensor on a CPU, and listing the 2 × 161 "
        "parameters alone takes 0.3 ms.",
    ])


_SHAPE = re.compile(r"\(B_, H, N, D\) = \((\d+), (\d+), (\d+), (\d+)\)")
_TIMES = re.compile(r"(readable|blocked|sdpa|fast) ([\d.]+) (?:ms|us)(?: \(([\d.]+)x\))?")


def parse_shapes(log: str) -> dict:
    """benchmarks/swin-shapes-cpu.log (tools/bench/swin_parts.py --cpu): its header line, the
    shapes' timings in ms, one image's in µs, and the module's line."""
    lines = log.strip().splitlines()
    out: dict = {"header": lines[0], "shapes": [], "one_image": [], "module": None}
    for line in lines[1:]:
        found = _TIMES.findall(line)
        times = {name: float(value) for name, value, _ in found}
        times.update({f"{name}_x": float(x) for name, _, x in found if x})  # readable / this, as logged
        if line.startswith("WindowAttention"):
            x = re.search(r"x \((\d+), (\d+), (\d+)\)", line)
            out["module"] = {"x": tuple(int(n) for n in x.groups()), **times}
            continue
        shape = tuple(int(n) for n in _SHAPE.search(line).groups())
        if line.startswith("one image"):
            out["one_image"].append({"shape": shape, **times})
        else:
            windows = int(re.search(r"(\d+) windows", line).group(1))
            layout = "qkv views" if "qkv views" in line else "separate"
            out["shapes"].append({"shape": shape, "windows": windows, "layout": layout, **times})
    return out


def parse_parts(log: str) -> dict:
    """benchmarks/swin-parts-cuda.log (tools/bench/swin_parts.py): its header line and
    {label: ms} for every timed line."""
    lines = log.strip().splitlines()
    times = {}
    for line in lines[1:]:
        found = re.match(r"(.*?)\s+([\d.]+) ms$", line)
        if found:
            times[found.group(1)] = float(found.group(2))
    return {"header": lines[0], "ms": times}


def _and(items: list[str]) -> str:
    """a, b and c"""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _window(N: int) -> str:
    side = math.isqrt(N)
    return f"{side} × {side}" if side * side == N else f"{N} tokens"


def swin_cpu_section(cpu: dict | None, reused: dict | None, shapes: dict | None) -> str | None:
    if not (cpu and reused):
        return None
    r = {label: case["ms"] for label, case in reused["swin_v2"]["cases"].items()}
    d = {label: case["ms"] for label, case in cpu["swin_v2"]["cases"].items()}
    faults = cpu["swin_v2"]["cases"]["bias"]["page_faults_per_call"]["readable"]
    lines = [
        "### Swin V2: cosine attention on a CPU",
        "",
        "On a CPU, PyTorch's `F.scaled_dot_product_attention` does not pay: with freed memory reused and the "
        f"bias, it took {ms(r['bias'][SDPA])} ms where the readable path took {ms(r['bias']['readable'])} ms. "
        "The note's CPU version takes a block of 64 windows at a time instead, whose logits stay in the caches "
        "from the product that makes them to the product that uses them.",
        "",
        "It copies strided q and k into its buffers before taking their norm. In one process, side by side at "
        "the benchmark's size with bias and mask, that took the blocked version on the module's views from "
        "47.6 ms to 37.6 ms (the readable path: 83.9 ms), left it at 31.5 to 32.1 ms on contiguous q, k, v, "
        f"and took the whole module's forward pass from 100.8 ms to 90.4 ms ({NOT_COMMITTED}).",
        "",
        "With malloc keeping freed memory for reuse, with bias and mask, the blocked version took "
        f"{ms(r[VIEWS]['fast'])} ms against {ms(r[VIEWS]['readable'])} ms for the readable path on the "
        f"module's views ({_x(r[VIEWS]['readable'], r[VIEWS]['fast'])}), and {ms(r['bias + mask']['fast'])} ms "
        f"against {ms(r['bias + mask']['readable'])} ms on q, k, v made separately "
        f"({_x(r['bias + mask']['readable'], r['bias + mask']['fast'])}; with the bias alone, "
        f"{ms(r['bias']['fast'])} ms against {ms(r['bias']['readable'])} ms). Every step of the readable path "
        f"reads the views strided, hence its {r[VIEWS]['readable']:.0f} ms. The products and the softmax "
        f"alone, run block by block with nothing else, took {ms(r['bias + mask'][PRODUCTS])} ms: on contiguous "
        "inputs no eager version that still has to do them can be more than "
        f"{_x(r['bias + mask']['readable'], r['bias + mask'][PRODUCTS])} faster than the readable path there, "
        f"and the blocked one takes {r['bias + mask']['fast'] / r['bias + mask'][PRODUCTS]:.2f} times as long "
        "as that floor. A factor of 2 on contiguous inputs would take a faster kernel for the products or the "
        "softmax than MKL's batched products and PyTorch's softmax.",
        "",
        "With malloc's defaults the gap is wider. glibc hands each freed block of more than 32 MB back to the "
        "kernel, so the readable path's 64 MiB intermediates are mapped afresh on every call, "
        f"{faults:,.0f} page faults a call with the bias; there the blocked version took {ms(d['bias']['fast'])} "
        f"ms against {ms(d['bias']['readable'])} ms with the bias ({_x(d['bias']['readable'], d['bias']['fast'])}), "
        f"{ms(d['bias + mask']['fast'])} ms against {ms(d['bias + mask']['readable'])} ms with bias and mask "
        f"({_x(d['bias + mask']['readable'], d['bias + mask']['fast'])}), and {ms(d[VIEWS]['fast'])} ms against "
        f"{ms(d[VIEWS]['readable'])} ms on the module's views ({_x(d[VIEWS]['readable'], d[VIEWS]['fast'])}).",
    ]
    if shapes:
        lines += ["", *_shapes_part(shapes)]
    return "\n".join(lines)


def _shapes_part(log: dict) -> list[str]:
    rows = log["shapes"]
    ratio = lambda row, name: row[f"{name}_x"]  # noqa: E731
    views = [ratio(row, "blocked") for row in rows if row["layout"] == "qkv views"]
    separate = [ratio(row, "blocked") for row in rows if row["layout"] == "separate"]
    sdpa = [ratio(row, "sdpa") for row in rows]
    lines = [
        "`python -m tools.bench.swin_parts --cpu` times the three paths with bias and mask at other window "
        "shapes too, on both layouts, malloc keeping freed memory (`benchmarks/swin-shapes-cpu.log`: "
        f"{log['header']}):",
        "",
        "| (B_, H, N, D) | window | windows an image | q, k, v | readable (ms) | blocked (ms) | SDPA (ms) |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        B_, H, N, D = row["shape"]
        lines.append(f"| ({B_}, {H}, {N}, {D}) | {_window(N)} | {row['windows']} | {row['layout']} "
                     f"| {row['readable']:.1f} | {row['blocked']:.1f} ({ratio(row, 'blocked'):.2f}x) "
                     f"| {row['sdpa']:.1f} ({ratio(row, 'sdpa'):.2f}x) |")
    text = (f"The blocked version was {_range(views)} faster than the readable one on the module's views and "
            f"{_range(separate)} on separate tensors, where the SDPA one ranged from {_range(sdpa)}.")
    module = log["module"]
    if module:
        B_, N, C = module["x"]
        products = 2 * 2 * B_ * N * N * C / 1e9  # q k^T and attn v over all heads: H * D = C
        text += (f" The whole module, projections included, ran a forward pass without gradients in "
                 f"{module['fast']:.1f} ms against {module['readable']:.1f} ms "
                 f"({module['fast_x']:.2f}x). The two projections are most of the rest: at "
                 f"this size they are {2 * B_ * N * C * 3 * C / 1e9:.1f} and {2 * B_ * N * C * C / 1e9:.1f} "
                 f"GFLOP, against {products:.1f} GFLOP for the attention's two products.")
    lines += ["", text]
    one = log["one_image"]
    if one:
        mib = _and([f"{B_ * H * N * N * 4 / 2**20:g}" for B_, H, N, _ in (row["shape"] for row in one)])
        blocked = _and([f"{row['blocked_x']:.2f}x" for row in one])
        small = [row for row in one if row["shape"][0] * row["shape"][1] * row["shape"][2] ** 2 * 4 <= 2**20]
        fast = _and([f"{row['fast_x']:.2f}x" for row in small])
        lines += ["", f"One image is another matter. Through Swin V2-T's four stages at 256 × 256 pixels (8 × 8 "
                  f"windows), all the logits take {mib} MiB, and the blocked version was {blocked} as fast as "
                  "the readable one: below 1 MiB its extra operations cost more than the cache saves, and "
                  f"`fast=True` keeps the readable path there ({fast}: within noise)."]
    return lines


def swin_gpu_section(cuda: dict | None, parts: dict | None) -> str | None:
    if not cuda:
        return None
    s = cuda["swin_v2"]
    c = {label: case["ms"] for label, case in s["cases"].items()}
    B_, H, N, D = (int(n) for n in _SHAPE.search(s["what"]).groups())
    tensor_mb = B_ * H * N * D * 4 / 1e6  # one float32 (B_, H, N, D) tensor
    lines = [
        "### Swin V2: cosine attention on a GPU",
        "",
        "On a GPU the fast path gains less, and not the factor of 2 it was written for. On "
        f"{cuda['device_name']} (torch {cuda['torch']}, float32, the sizes above) it took "
        f"{ms(c['bias']['fast'])} ms against {ms(c['bias']['readable'])} ms for the readable path with the "
        f"bias, and {ms(c['bias + mask']['fast'])} against {ms(c['bias + mask']['readable'])} ms with bias "
        "and mask.",
    ]
    fused = None
    if parts:
        t = parts["ms"]
        fused = next((v for k, v in t.items() if k.startswith("fused candidate") and "mask" not in k), None)
        moved = 2 * 3 * tensor_mb  # q and k, each read twice and written once
        at_peak = moved / 3e3  # ms at 3 TB/s: 3,000 MB a millisecond
        lines += ["", f"`python -m tools.bench.swin_parts` times the parts (`benchmarks/swin-parts-cuda.log`: "
                  f"{parts['header']}): normalising q and k takes {ms(t['normalize q and k only'])} ms, "
                  f"{t['normalize q and k only'] / t['fast, bias']:.0%} of the fast path's "
                  f"{ms(t['fast, bias'])} ms in that run, and `scaled_dot_product_attention` itself "
                  f"{ms(t['sdpa EFFICIENT, bias'])} ms on its memory-efficient kernel ({ms(t['sdpa MATH, bias'])} "
                  "ms on the unfused math path; the flash and cuDNN kernels take only half precision). The "
                  f"normalisation moves about {moved:.0f} MB (each {tensor_mb:.1f} MB tensor read twice and "
                  f"written once), {at_peak:.2f} ms at the card's 3 TB/s, so it runs at "
                  f"{at_peak / t['normalize q and k only']:.0%} of the memory's speed: a reduction over only "
                  f"{D} channels per token, then a division, each its own kernel. `torch.compile` of the "
                  "readable path, which fuses such steps, took "
                  f"{ms(t['torch.compile(readable), bias'])} ms in that run (0.27 to 0.33 ms over three runs). "
                  "A 2x fast path in eager PyTorch would need the normalisation inside the attention kernel."]
    text = ("`tools/bench/swin_fused.py` is such a kernel, written in Triton. Each program takes one window, one "
            "head and up to 64 queries, reads them once, and walks the window's keys and values in blocks of 64, "
            "normalising as it goes and keeping a running softmax, so no logits reach memory. For 8 × 8 windows "
            f"that is one block of each, and the traffic is q, k, v and the output once each, about "
            f"{4 * tensor_mb:.0f} MB in all. It agrees with the readable path to $5.3 \\times 10^{{-6}}$ in "
            "Triton's interpreter on a CPU, for windows of 16 to 144 tokens (`tests/notes/test_swin_fused.py`), and the "
            "same tests compile it for an H100 ahead of time: with 8 warps to a block of 64 queries it holds "
            "everything in 152 registers a thread, where 4 warps spilled.")
    if fused is None:
        text += " It is not yet timed on a GPU, so the fast path does not use it yet."
    else:
        text += f" On the GPU of that run it took {ms(fused)} ms with the bias."
    lines += ["", text]
    return "\n".join(lines)


def dropout_section(cpu: dict | None, cuda: dict | None) -> str | None:
    if not (cpu or cuda):
        return None
    record = cpu or cuda
    lines = [
        "### Dropout: mask multiply or masked assignment",
        "",
        "`python -m tools.bench.dropout` times the three ways to apply dropout to a float32 tensor, mask "
        "generation included: `x * mask / (1 - p)`, masked assignment on a copy, and `F.dropout`, "
        f"p = {record['p']}; median times, the three methods taking turns for three rounds. It prints a table "
        "and writes JSON with the device's name.",
    ]
    if cpu:
        t = dropout_medians(cpu["results"])
        faster = all(row["masked assignment"] > row["mask multiply"] for row in t.values())
        lines += ["", stamp(cpu) + f" torch {cpu['torch']}, {cpu['threads']} threads.", "",
                  dropout_table(cpu["results"]), "",
                  "On this CPU the mask multiply is " + ("faster at every size" if faster else "not faster at every "
                  "size") + ", but by how much depends on the size and, at a million elements, on the run: over "
                  "four runs that day the ratio was 1.40 to 1.45 at 65,536 elements and 1.06 to 1.12 at 16 million; "
                  "at a million, over seven runs, anywhere from 1.02 to 1.92, as each method's 4 MB tensors were "
                  "sometimes reused by the allocator and sometimes mapped afresh (the multiply alone took 176 to "
                  "2,016 page faults per call in four fresh processes, and ran 5.4 to 7.1 ms; "
                  f"{NOT_COMMITTED}). At 16 million elements every method is bound by memory traffic and the gap "
                  "closes. An earlier version of this table, timed on one thread although it said two, had masked "
                  "assignment ahead at 16 million elements; with both cores it is not."
                  + (" The book's claim is about GPUs; on a CPU it holds, by a margin that shrinks with the size."
                     if faster else "")]
    if cuda:
        t = dropout_medians(cuda["results"])
        slower = [row["masked assignment"] / row["mask multiply"] for row in t.values()]
        fused = [row["mask multiply"] / row["F.dropout"] for row in t.values()]
        if min(slower) > 1:
            lines += ["", "On a GPU, where the claim was made, it holds at every size."]
        lines += ["", stamp(cuda) + f" torch {cuda['torch']}.", "", dropout_table(cuda["results"]), "",
                  f"Masked assignment is {min(slower):.1f} to {max(slower):.1f} times slower than the multiply. It "
                  "copies x and inverts the mask before it writes, two more passes over memory and two more kernel "
                  "launches; up to a million elements, where every method takes tens of microseconds, the launches "
                  f"weigh most. `F.dropout` is {min(fused):.1f} to {max(fused):.1f} times faster than the "
                  "multiply: one fused kernel draws the random numbers and scales in a single pass, where the "
                  "snippet writes the mask out first. These timings swing by up to half between runs at the small "
                  "sizes: the dropout rows of the CUDA snippets table above are a second run."]
    return "\n".join(lines)


def sections(records: dict) -> str | None:
    """The whole section from {name: record}: snippets-cpu, snippets-cpu-reused, snippets-cuda,
    dropout-cpu, dropout-cuda (JSON, loaded) and swin-shapes-cpu, swin-parts-cuda (log text);
    None when none of them is there."""
    get = records.get
    shapes = get("swin-shapes-cpu")
    parts = get("swin-parts-cuda")
    found = [part for part in (
        adam_section(get("snippets-cpu"), get("snippets-cpu-reused"), get("snippets-cuda")),
        moco_section(get("snippets-cpu")),
        swin_cpu_section(get("snippets-cpu"), get("snippets-cpu-reused"), shapes and parse_shapes(shapes)),
        swin_gpu_section(get("snippets-cuda"), parts and parse_parts(parts)),
        dropout_section(get("dropout-cpu"), get("dropout-cuda")),
    ) if part]
    return "\n\n".join([INTRO, *found]) if found else None
