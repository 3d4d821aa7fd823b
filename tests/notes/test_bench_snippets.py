"""tools/bench/snippets runs (small sizes) and writes the JSON that benchmarks/ keeps:
every figure present and positive, every ratio the one its figures give."""

from __future__ import annotations

import contextlib
import io
import json
import math

import pytest

from tools.bench import snippets as bench_snippets


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> tuple[dict, str]:
    """The benchmark at --quick sizes on the CPU: (the JSON it wrote, the table it printed)."""
    path = tmp_path_factory.mktemp("bench") / "snippets-cpu.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert bench_snippets.main(["--quick", "--device", "cpu", "--json", str(path)]) == 0
    return json.loads(path.read_text(encoding="utf-8")), out.getvalue()


def _positive(figures: dict, where: str) -> None:
    assert figures, f"{where}: no figures"
    for name, value in figures.items():
        assert isinstance(value, float) and math.isfinite(value) and value > 0, f"{where}[{name!r}] = {value!r}"


def test_header(quick):
    result, _ = quick
    assert result["device"] == "cpu" and result["quick"] is True
    assert result["threads"] >= 1 and result["torch"] and result["device_name"]
    assert len(result["load_average"]) == 3


def test_adam(quick):
    adam = quick[0]["adam"]
    _positive(adam["ms"], "adam.ms")
    assert set(adam["ms"]) == {
        "ours (snippets/adam.py)", "torch.optim.Adam(foreach=True)", "torch.optim.Adam(foreach=False)",
    }
    ratio = adam["ms"]["ours (snippets/adam.py)"] / adam["ms"]["torch.optim.Adam(foreach=True)"]
    assert adam["ratio"] == pytest.approx(ratio, rel=1e-9)
    assert adam["met"] == (adam["ratio"] <= 1.25)


def test_moco_reports_both_loops(quick):
    moco = quick[0]["moco"]
    ours = "momentum_update (snippets/moco.py)"
    _positive(moco["ms"], "moco.ms")
    assert set(moco["ms"]) == {
        ours, "per-parameter loop", "per-parameter loop, in place", "floor: one lerp_ over a flat tensor",
    }
    assert set(moco["baselines"]) == {"per-parameter loop", "per-parameter loop, in place"}
    assert "param_k.data * m" in moco["baselines"]["per-parameter loop"]  # the target's baseline: the official loop
    assert moco["speedup"] == pytest.approx(moco["ms"]["per-parameter loop"] / moco["ms"][ours], rel=1e-9)
    assert moco["speedup_in_place"] == pytest.approx(
        moco["ms"]["per-parameter loop, in place"] / moco["ms"][ours], rel=1e-9)
    assert moco["met"] == (moco["speedup"] >= 5) and moco["target"] == ">= 5"
    assert all(f >= 0 for f in moco["page_faults_per_call"].values())


def test_swin_v2_cases(quick):
    swin = quick[0]["swin_v2"]
    assert set(swin["cases"]) == {"bias", "bias + mask",
                                  "bias + mask, the module's q, k, v (views of one qkv tensor)"}
    for label, case in swin["cases"].items():
        _positive(case["ms"], f"swin_v2.cases[{label!r}].ms")
        # on a CPU also the SDPA path (the GPU's fast path) and the floor of the blocked one
        assert set(case["ms"]) == {"readable", "fast", bench_snippets.SDPA, bench_snippets.PRODUCTS}
        assert case["speedup"] == pytest.approx(case["ms"]["readable"] / case["ms"]["fast"], rel=1e-9)
        assert case["met"] == (case["speedup"] >= 2)
        assert all(f >= 0 for f in case["page_faults_per_call"].values())
    assert swin["met"] == all(case["met"] for case in swin["cases"].values())


def test_dropout(quick):
    results = quick[0]["dropout"]["results"]
    assert {r["method"] for r in results} == {"mask multiply", "masked assignment", "F.dropout"}
    _positive({f"{r['elements']} {r['method']}": r["median_us"] for r in results}, "dropout")


def test_table_names_every_benchmark(quick):
    """The console shows the performance page's table, one row per comparison, with its ratio."""
    result, table = quick
    for name in ("Adam step", "MoCo momentum update", "the official loop", "loop, in place", "memory-bound floor",
                 "`F.scaled_dot_product_attention`", "the two products and the softmax alone", "masked assignment"):
        assert name in table
    for label, case in result["swin_v2"]["cases"].items():
        assert f", {label} | " in table and f"| {case['speedup']:.1f}x faster |" in table



def test_timings_run_on_every_thread(monkeypatch):
    """torch.utils.benchmark.Timer runs its statement on one thread unless told otherwise; the
    benchmarks' JSON says how many threads the process has, so the timed calls must see that many."""
    import torch

    from tools.bench import dropout as bench_dropout

    threads = torch.get_num_threads()
    seen: list[int] = []

    def record(*_):
        seen.append(torch.get_num_threads())

    monkeypatch.setitem(bench_dropout.METHODS, "record", record)
    torch.set_num_threads(2)  # at least 2 even on a one-core machine, so that 1 would show
    try:
        bench_snippets.timed({"record": record}, rounds=1, min_run_time=0.01)
        bench_dropout.bench([4], 0.5, torch.device("cpu"), min_run_time=0.01)
    finally:
        torch.set_num_threads(threads)
    assert seen and set(seen) == {2}, f"timed on {sorted(set(seen))} threads, the process has 2"


def _heap_probe() -> tuple[int, int, float]:
    """(pid, threads, page faults per 64 MB tensor made and freed), in whatever process runs it."""
    import os
    import resource

    import torch

    for _ in range(5):  # warm-up: the heap can take a few rounds to settle
        torch.ones(16 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        torch.ones(16 << 20)
    return os.getpid(), torch.get_num_threads(), (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5


def test_fresh_processes_and_reused_memory():
    """in_fresh_process: another process, with this one's thread count and the malloc setting asked
    for. A 64 MB tensor made and freed again and again costs page faults in a default process
    (malloc unmaps it each time, 16,384 with 4 KB pages) and none once --reuse-freed-memory has
    malloc keep freed memory (a child each, since the setting lasts for the rest of a process)."""
    import os

    import torch

    pid, threads, default = bench_snippets.in_fresh_process(_heap_probe)
    assert pid != os.getpid() and threads == torch.get_num_threads()
    assert default >= 16, f"{default} faults per 64 MB tensor in a fresh default process"
    _, _, reused = bench_snippets.in_fresh_process(_heap_probe, reuse=True)
    assert reused <= default / 10, f"{reused} faults with freed memory reused, {default} without"


def test_the_rms_norm_candidate_computes_cosine_attention():
    """tools/bench/swin_parts times rms_norm_candidate on a GPU as a possible fast path; it must
    compute what the readable path computes (here on the CPU, in float64, 1 / tau on both sides
    of the clamp)."""
    import math

    import torch

    from snippets.swin_v2 import cosine_attention
    from tools.bench.swin_parts import rms_norm_candidate

    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(6, 2, 16, 8, generator=g, dtype=torch.float64) for _ in range(3))
    q[0, 0, 0] *= 1e-6  # a short query: the eps must not show
    logit_scale = torch.tensor([math.log(10.0), 5.0], dtype=torch.float64).view(2, 1, 1)
    bias = 16 * torch.sigmoid(torch.randn(2, 16, 16, generator=g, dtype=torch.float64))
    ours = rms_norm_candidate(q, k, v, logit_scale, bias)
    torch.testing.assert_close(ours, cosine_attention(q, k, v, logit_scale, bias), atol=1e-12, rtol=0)
