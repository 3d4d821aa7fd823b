"""What the tests of the notes' code (tests/notes/test_<note>.py) share: the table of the largest
differences between a snippet and its reference.

A note's test file compares snippets/<note>.py with a reference at a stated tolerance. Each
comparison goes through a module-level ``Largest`` table, which asserts it and keeps the
largest difference seen per comparison and dtype; when the module's tests end, conftest.py
prints the table (``pytest -rA`` or ``-s`` shows it), so that a tolerance can be read against
what the code really reaches::

    ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
    LARGEST = Largest("gcn", atol=ATOL)

    LARGEST.close("layer vs formula", ours, ref)           # atol ATOL[ours.dtype], rtol 0
    LARGEST.close("norm", ours, ref, dtype, relative=True)  # rtol ATOL[dtype], atol 0
    LARGEST.z("kept fraction", z)                            # |z| < 5 standard errors

The other shared pieces are fixtures in conftest.py (``one_thread``) and plugins/devices.py
(the ``device`` parameter, cpu and cuda).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

# A tolerance: one number, or one per dtype (looked up with the comparison's dtype).
Tolerance = float | Mapping[torch.dtype, float]

# Statistical checks: a seeded estimate within this many standard errors of its expected value.
Z_LIMIT = 5


def dtype_name(dtype: torch.dtype) -> str:
    """"float32" for torch.float32."""
    return str(dtype).removeprefix("torch.")


class Largest:
    """Comparisons of one test module, asserted, with the largest |ours - reference| per
    (comparison, dtype) and the largest |z| per statistical check, printed at the module's end."""

    def __init__(self, module: str, atol: Tolerance | None = None) -> None:
        """``module``: the name the report starts its lines with; ``atol``: the tolerance of
        ``close`` where a call names none."""
        self.module = module
        self.atol = atol
        self.seen: dict[tuple[str, str, str], float] = {}

    def _keep(self, quantity: str, name: str, dtype: torch.dtype | None, value: float) -> None:
        key = (quantity, name, "" if dtype is None else dtype_name(dtype))
        self.seen[key] = max(self.seen.get(key, 0.0), value)

    def record(self, name: str, ours, ref, dtype: torch.dtype | None = None, relative: bool = False) -> float:
        """Keeps (and returns) max |ours - ref| under ``name`` and ``dtype`` (ours' dtype when
        None); 0 for empty tensors. ``relative``: divided by max |ref|. Asserts nothing."""
        ours, ref = torch.as_tensor(ours).detach(), torch.as_tensor(ref).detach()
        if ours.numel() == 0:
            diff = 0.0
        else:
            largest = (ours - ref).abs().max()
            diff = float(largest / ref.abs().max() if relative else largest)
        self._keep("|diff|", name, ours.dtype if dtype is None else dtype, diff)
        return diff

    def close(
        self,
        name: str,
        ours,
        ref,
        dtype: torch.dtype | None = None,
        *,
        atol: Tolerance | None = None,
        rtol: float = 0.0,
        relative: bool = False,
        msg: str | None = None,
    ) -> None:
        """Records the comparison, then ``torch.testing.assert_close(ours, ref)`` at ``atol``
        (the table's when None; a mapping is read at ``dtype``, by default ours' dtype) and
        ``rtol`` (0 unless given). ``relative``: for a quantity far from 1, the tolerance is
        relative instead (rtol = the tolerance, atol = 0), and so is the recorded difference."""
        ours, ref = torch.as_tensor(ours).detach(), torch.as_tensor(ref).detach()
        dtype = ours.dtype if dtype is None else dtype
        tolerance = self.atol if atol is None else atol
        if tolerance is None:
            raise TypeError(f"{self.module}: close({name!r}) needs an atol (the table has none)")
        if isinstance(tolerance, Mapping):
            tolerance = tolerance[dtype]
        self.record(name, ours, ref, dtype, relative=relative)
        if relative:
            torch.testing.assert_close(ours, ref, atol=0, rtol=tolerance, msg=msg)
        else:
            torch.testing.assert_close(ours, ref, atol=tolerance, rtol=rtol, msg=msg)

    def z(self, name: str, z, dtype: torch.dtype | None = None) -> None:
        """Asserts that a seeded estimate is within Z_LIMIT standard errors of its expected
        value: ``z`` is (estimate - expected) / standard error, a number or a tensor of them
        (its largest |z| counts). Keeps the largest |z| under ``name`` (and ``dtype`` if given)."""
        value = float(z.abs().max()) if isinstance(z, torch.Tensor) else abs(float(z))
        self._keep("|z|", name, dtype, value)
        assert value < Z_LIMIT, f"{name}: {value:.2f} standard errors from the expected value"

    def report(self) -> None:
        """Prints the table, one line per comparison, sorted (conftest.py calls it)."""
        for (quantity, name, dtype), value in sorted(self.seen.items()):
            print(f"\n{self.module} largest {quantity} {name}{' ' + dtype if dtype else ''}: {value:.3g}", end="")
