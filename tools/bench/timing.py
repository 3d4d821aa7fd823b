"""What the PyTorch benchmarks share: timing functions in turns, counting page faults, naming
the device, setting glibc's malloc to keep freed memory, and running a benchmark in a fresh
process.

Imported by tools/bench/dropout.py, snippets.py and swin_parts.py; it imports none of them
(``call`` imports a module by the name it is given, in the process that runs it).
"""

from __future__ import annotations

import ctypes
import importlib
import platform
import resource
import statistics
from pathlib import Path

import torch
from torch.utils import benchmark


def timed(fns: dict, rounds: int, min_run_time: float) -> dict[str, float]:
    """Median seconds per call of each function, the functions taking turns."""
    for fn in fns.values():
        fn()  # warm-up: CUDA context, allocator, optimizer state
        fn()
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            # Timer runs its statement on one thread unless told otherwise
            timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
            runs[name].append(timer.blocked_autorange(min_run_time=min_run_time).median)
    return {name: statistics.median(times) for name, times in runs.items()}


def page_faults(fns: dict, calls: int = 3) -> dict[str, float]:
    """Minor page faults per call of each function (after the warm-up in ``timed``)."""
    faults = {}
    for name, fn in fns.items():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(calls):
            fn()
        faults[name] = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls
    return faults


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model name (/proc/cpuinfo where there is one)."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def reuse_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for reuse, large blocks included: no block is
    mapped on its own (M_MMAP_MAX 0) and the heap is never trimmed (M_TRIM_THRESHOLD at its
    largest). False, and nothing changed, where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
    return mallopt(M_MMAP_MAX, 0) == 1 and mallopt(M_TRIM_THRESHOLD, 2**31 - 1) == 1


def _child_setup(reuse: bool, threads: int) -> None:
    """In a fresh process for one benchmark: the parent's thread count and malloc setting."""
    torch.set_num_threads(threads)
    if reuse:
        reuse_freed_memory()


def in_fresh_process(fn, *args, reuse: bool = False):
    """fn(*args) in a new Python process (spawned, not forked), so that it starts from an empty
    heap: what one benchmark freed cannot serve another's allocations. fn must be importable
    (a module run with -m is __main__ here: pass ``call`` and the module's name instead)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_child_setup,
                             initargs=(reuse, torch.get_num_threads())) as pool:
        return pool.submit(fn, *args).result()


def call(module: str, name: str, *args):
    """module.name(*args), the module imported by its name."""
    return getattr(importlib.import_module(module), name)(*args)
