"""Devices: everything runs on the CPU unless ``--device`` asks for more.

    pytest                              CPU
    pytest --device cuda                CUDA only
    pytest --device cpu --device cuda   both

A test that takes the ``device`` fixture runs once per device, as a parameter
(``test_x[cpu]``, ``test_x[cuda]``); the CUDA one carries the ``cuda`` marker.
A device that was not asked for is skipped with a reason that says so.
Asking for CUDA where there is none is a usage error: the run stops before any
test, it never falls back to the CPU. Example blocks of the notes run on each
device asked for, with torch's default device set around them (blocks.py).

On CUDA, tests and blocks run with TensorFloat-32 off (``ieee_float32``):
cuDNN's convolutions and RNNs use TF32 by default, which keeps 10 bits of
mantissa, so a float32 comparison at float32 tolerances would measure TF32
rather than the code (a transposed convolution against F.interpolate differed
by 4.4e-4 with it, nn.LSTM by 1.7e-4). float32 means float32 on both devices.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

DEVICES = ("cpu", "cuda")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("papernotes").addoption(
        "--device",
        action="append",
        choices=DEVICES,
        dest="devices",
        help="run the snippet tests and the notes' example blocks on this device "
        "(repeat for several; default: cpu). cuda without a GPU is an error.",
    )


def selected_devices(config: pytest.Config) -> tuple[str, ...]:
    return tuple(dict.fromkeys(config.getoption("devices", None) or ["cpu"]))


def cuda_problem() -> str | None:
    """Why CUDA cannot be used here, or None when it can."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if torch.version.cuda is None:
        return f"torch {torch.__version__} is built without CUDA"
    if not torch.cuda.is_available():
        return "no CUDA device is visible (torch.cuda.is_available() is False)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cuda: needs a CUDA device; runs with --device cuda, is skipped with a reason otherwise"
    )
    if "cuda" in selected_devices(config):
        problem = cuda_problem()
        if problem:
            raise pytest.UsageError(f"--device cuda: {problem}; nothing was run (tests never fall back to the CPU)")


def _parametrizes_device(metafunc: pytest.Metafunc) -> bool:
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        names = names.replace(" ", "").split(",") if isinstance(names, str) else list(names)
        if "device" in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "device" in metafunc.fixturenames and not _parametrizes_device(metafunc):
        metafunc.parametrize(
            "device",
            [pytest.param("cpu", id="cpu"), pytest.param("cuda", id="cuda", marks=pytest.mark.cuda)],
            indirect=True,
        )


@pytest.fixture
def device(request: pytest.FixtureRequest) -> str:
    """The device this test runs on, "cpu" or "cuda": a parameter, never a fallback."""
    return request.param


@contextlib.contextmanager
def ieee_float32() -> Iterator[None]:
    """float32 arithmetic without TF32 on CUDA inside; the previous settings afterwards."""
    import torch

    backends = torch.backends
    if hasattr(backends.cudnn, "conv") and hasattr(backends.cudnn.conv, "fp32_precision"):
        # torch >= 2.9: one setting per operator family; the legacy allow_tf32 flags
        # must not be mixed with these (torch raises when it reads them afterwards).
        # the switches that let CUDA round float32 matrix products, convolutions and RNNs to TF32
        switches = (backends.cuda.matmul, backends.cudnn.conv, backends.cudnn.rnn)
        saved = [switch.fp32_precision for switch in switches]
        for switch in switches:
            switch.fp32_precision = "ieee"
        try:
            yield
        finally:
            for switch, value in zip(switches, saved):
                switch.fp32_precision = value
        return
    saved_flags = backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32
    backends.cuda.matmul.allow_tf32 = backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32 = saved_flags


@pytest.fixture(autouse=True)
def _ieee_float32_on_cuda(request: pytest.FixtureRequest) -> Iterator[None]:
    """CUDA tests compare float32 at float32 tolerances: TF32 stays off while they run."""
    if item_device(request.node) != "cuda":
        yield
        return
    with ieee_float32():
        yield


def item_device(item: pytest.Item) -> str | None:
    """The device a test is for, or None when it does not depend on one."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "device" in callspec.params:
        return callspec.params["device"]
    if item.get_closest_marker("cuda") is not None:
        return "cuda"
    return getattr(item, "device", None)


def skip_reason(device: str, selected: tuple[str, ...]) -> str:
    if device == "cuda":
        problem = cuda_problem()
        return "cuda not selected: pytest --device cuda runs it" + (f" (not here: {problem})" if problem else "")
    return f"{device} not selected (this run: {' '.join(f'--device {name}' for name in selected)})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = selected_devices(config)
    reasons: dict[str, str] = {}
    for item in items:
        device = item_device(item)
        if device is not None and device not in selected:
            if device not in reasons:
                reasons[device] = skip_reason(device, selected)
            item.add_marker(pytest.mark.skip(reason=reasons[device]))
