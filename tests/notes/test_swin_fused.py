"""tools/bench/swin_fused.py, the one-kernel candidate for Swin V2's attention on a GPU, against the note's
readable path. Without a GPU the kernel runs in Triton's interpreter (TRITON_INTERPRET=1, set
before Triton is imported, hence a child process); on CUDA it is compiled and run for real."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("triton")

ROOT = Path(__file__).resolve().parents[2]

# The toolchain the no-spill check below was checked with, the one uv.lock pins (on Python 3.11 and
# newer): Triton 3.9.0, which compiles for sm_90 with its bundled ptxas V13.4.59. Register allocation
# is the compiler's: Triton 3.8.0 (ptxas V12.9.86 for sm_90, what the lock installs on Python 3.10,
# where torch 2.15.0 has no wheels) spills 32 bytes of this kernel. Upgrading Triton in the lock means
# running the check on the new one and writing its versions here.
TRITON_CHECKED = "3.9.0"
PTXAS_CHECKED = "13.4.59"

# In the child: every case's largest |fused - readable|, the half precisions' largest share of their
# rounding bound, and the message of each input it refuses.
CHILD = r"""
import json, math, sys
import torch
from snippets.swin_v2 import cosine_attention
from tools.bench.swin_fused import fused_cosine_attention

device = sys.argv[1]
g = torch.Generator(device=device).manual_seed(5)
result = {"largest": {}, "refused": []}
# (images, windows per image, heads, tokens, head dim): 4 x 4, 7 x 7, 8 x 8 windows (one block of
# keys), 12 x 12 (three, the last padded); D 8 is padded to 16
for B, nW, H, N, D in [(3, 4, 2, 16, 8), (2, 4, 3, 49, 32), (2, 2, 4, 64, 32), (2, 2, 2, 144, 16)]:
    qkv = torch.randn(B * nW, N, 3, H, D, generator=g, device=device)
    q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # strided views, as the module passes them
    q[0, 0, 0] *= 1e-7  # a near-zero query and key: the eps must act as F.normalize's does
    k[0, 0, 1] *= 1e-7
    logit_scale = torch.tensor([math.log(10.0), math.log(20.0), 0.0, 1.0][:H], device=device).view(H, 1, 1)
    bias = 16 * torch.sigmoid(torch.randn(H, N, N, generator=g, device=device))
    mask = torch.zeros(nW, N, N, device=device)
    mask[1:, : N // 2, N // 2:] = -100.0  # windows 1.. cut in two, window 0 whole
    mask[1:, N // 2:, : N // 2] = -100.0
    for name, extra in {"plain": (None, None), "bias": (bias, None), "bias + mask": (bias, mask)}.items():
        with torch.no_grad():
            ours = fused_cosine_attention(q, k, v, logit_scale, *extra)
            ref = cosine_attention(q, k, v, logit_scale, *extra, fast=False)
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        result["largest"][f"N={N} D={D} {name}"] = (ours - ref).abs().max().item()
# float16 and bfloat16 in, computed in float32, rounded once on the way out: each output within half
# a unit in the last place (plus the float32 gap) of the readable path on the same rounded inputs.
# Triton's interpreter rounds float32 to bfloat16 toward zero whatever the kernel asks: a whole unit.
result["half"] = {}
q, k, v = torch.randn(3, 8, 2, 64, 32, generator=g, device=device).unbind(0)
logit_scale = torch.zeros(2, 1, 1, device=device)
bias = torch.randn(2, 64, 64, generator=g, device=device)
for dtype in (torch.float16, torch.bfloat16):
    with torch.no_grad():
        ours = fused_cosine_attention(q.to(dtype), k.to(dtype), v.to(dtype), logit_scale, bias)
        ref = cosine_attention(*(t.to(dtype).float() for t in (q, k, v)), logit_scale, bias)
    assert ours.dtype == dtype
    units = 1 if dtype == torch.bfloat16 and device == "cpu" else 0.5
    bound = ref.abs() * torch.finfo(dtype).eps * units + 1e-5
    result["half"][str(dtype)] = ((ours.float() - ref).abs() / bound).max().item()
q = torch.randn(4, 2, 64, 32, device=device)
try:
    fused_cosine_attention(q.double(), q.double(), q.double(), torch.zeros(2, 1, 1, device=device))
except ValueError as e:
    result["refused"].append(str(e))
try:
    fused_cosine_attention(q[:3], q[:3], q[:3], torch.zeros(2, 1, 1, device=device), None,
                           torch.zeros(2, 64, 64, device=device))
except ValueError as e:
    result["refused"].append(str(e))
print(json.dumps(result))
"""


def _run(device: str) -> dict:
    env = dict(os.environ)
    if device == "cpu":
        env["TRITON_INTERPRET"] = "1"
    done = subprocess.run([sys.executable, "-c", CHILD, device], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fused_candidate_computes_cosine_attention(device):
    """float32, q k v strided, bias and a window-dependent mask, windows of 16, 49, 64 and 144
    tokens: within REFERENCES.md's 1e-5 of the readable path (1 / tau of 1 to 20). float16 and
    bfloat16: rounded once, at the output."""
    result = _run(str(device))
    assert len(result["largest"]) == 12
    for case, gap in result["largest"].items():
        assert gap <= 1e-5, f"{case}: fused and readable {gap:.2e} apart"
    assert set(result["half"]) == {"torch.float16", "torch.bfloat16"}
    for dtype, share in result["half"].items():
        assert share <= 1, f"{dtype}: an output {share:.2f} times the rounding bound from the readable path"
    assert result["refused"] == [
        "fused_cosine_attention: torch.float64 is not float32, float16 or bfloat16",
        "fused_cosine_attention: 3 windows are not whole images of 2 windows",
    ]


def _ptxas_version(arch: int) -> str:
    """The version of the ptxas that Triton runs for `arch` (13.4.59), from its `--version`."""
    from triton.backends.nvidia.compiler import get_ptxas_version

    text = get_ptxas_version(arch)
    found = re.search(r"\bV(\d+(?:\.\d+)+)", text)
    return found.group(1) if found else text.strip().splitlines()[-1]


@pytest.mark.parametrize("N", [49, 64, 144])
def test_fused_kernel_compiles_for_an_h100_without_spilling(N, tmp_path):
    """Ahead of time, for sm_90 (an H100), with Triton's own ptxas: no GPU needed. At Swin V2's head
    dimension (32) and windows of 7 x 7, 8 x 8 and 12 x 12 tokens, with launch_config's warps, the
    kernel keeps everything in registers: no stack, so nothing spills to local memory.
    Checked with TRITON_CHECKED and PTXAS_CHECKED, which must not spill. Another toolchain is compiled
    and held to the same check; when it spills, the test skips and names both toolchains: that is a
    finding about that compiler, not a change in the kernel."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    from tools.bench.swin_fused import _cosine_attention_kernel as kernel
    from tools.bench.swin_fused import launch_config

    cuobjdump = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "cuobjdump"
    if not cuobjdump.exists():
        pytest.skip(f"this Triton has no CUDA tools ({cuobjdump} is missing)")
    block, block_d, warps = launch_config(N, 32)
    names = kernel.arg_names
    constexprs = {"D": 32, "BLOCK_M": block, "BLOCK_K": block, "BLOCK_D": block_d, "HAS_START": True}
    signature = {name: "constexpr" if name in constexprs else "*fp32" if name.endswith("_ptr") else "i32"
                 for name in names}
    compiled = triton.compile(ASTSource(fn=kernel, signature=signature, constexprs=constexprs),
                              target=GPUTarget("cuda", 90, 32), options={"num_warps": warps, "enable_fp_fusion": True})
    cubin = tmp_path / "kernel.cubin"
    cubin.write_bytes(compiled.asm["cubin"])
    usage = subprocess.run([str(cuobjdump), "--dump-resource-usage", str(cubin)], capture_output=True,
                           text=True, check=True).stdout
    line = next(line for line in usage.splitlines() if "REG:" in line)
    fields = dict(field.split(":") for field in line.split() if ":" in field)
    ptxas = _ptxas_version(90)
    checked = (triton.__version__, ptxas) == (TRITON_CHECKED, PTXAS_CHECKED)
    if int(fields["STACK"]) != 0 and not checked:
        pytest.skip(f"N = {N}: {fields['STACK']} bytes of stack with Triton {triton.__version__} (ptxas {ptxas}); "
                    f"the no-spill check holds for Triton {TRITON_CHECKED} (ptxas {PTXAS_CHECKED}), "
                    "which uv.lock pins on Python 3.11 and newer")
    assert int(fields["STACK"]) == 0, (f"N = {N}, {warps} warps, Triton {triton.__version__} "
                                       f"(ptxas {ptxas}): {line.strip()}")
