"""Every measurement-like number in the notes' prose has an origin (tests/prose_numbers.py):
a citation, a footnote naming the source document, or an executed block that holds it."""

from __future__ import annotations

import pytest

from tests.prose_numbers import ALLOWED, scan, scan_log, unsourced


def origins(source: str) -> list[tuple[str, str, str | None]]:
    return [(f.kind, f.text, f.origin) for f in scan("docs/x.md", source)]


def test_every_number_in_the_notes_has_an_origin():
    missing = unsourced(scan_log())
    assert not missing, (f"{len(missing)} measurement-like numbers without a citation, a 'Source:' footnote "
                         "or a block that checks them:\n" + "\n".join(map(str, missing)))


def test_each_allowed_number_is_still_there_and_says_why():
    found = {(f.page, f.text) for f in scan_log()}
    for (page, text), reason in ALLOWED.items():
        assert (page, text) in found, f"{page}: '{text}' is allowed but no longer there: remove it from ALLOWED"
        assert len(reason.split()) >= 4, f"{page}: '{text}': say why it needs no origin"


def test_a_measurement_nobody_made_is_found():
    assert origins("# Week\n\n在一张 3090 上，batch 64 跑到 420 images/s。\n") == [("throughput", "420 images/s", None)]
    assert origins("ResNet-50 ran at 420 images/s on a 3090.\n") == [("throughput", "420 images/s", None)]


@pytest.mark.parametrize("text, kind", [
    ("Peak memory was 9.6 GB.", "memory"),
    ("It took 18.7 ms per step.", "time"),
    ("训练用了 40 分钟。", "time"),
    ("Validation accuracy reached 89.4%.", "percent"),
    ("The fused kernel was 3.2x faster.", "ratio"),
    ("快了 3 倍以上。", "ratio"),
    ("The largest model has 1.5B parameters.", "parameters"),
    ("最大的模型有 15 亿参数。", "parameters"),
    ("On ADE20K it reaches 59.9 mIoU.", "metric"),
    ("ImageNet top-1 84.0 after fine-tuning.", "metric"),
])
def test_each_kind_is_found(text: str, kind: str):
    assert [(k, origin) for k, _, origin in origins(text + "\n")] == [(kind, None)]


def test_a_citation_or_a_source_footnote_in_the_sentence_is_an_origin():
    page = ("MoCo v2 reaches 71.1% top-1 [@chen2020mocov2]. The loop took 18.7 ms[^run]. It took 3.1 ms[^aside].\n\n"
            "[^run]: Source: the author's own record of the run.\n[^aside]: An aside, with no source.\n")
    assert origins(page) == [("percent", "71.1%", "citation"), ("time", "18.7 ms", "source"),
                             ("time", "3.1 ms", None)]


def test_a_chinese_source_footnote_counts_and_its_own_text_is_not_prose():
    page = "吞吐量是 1174.2 examples/sec[^speed]。\n\n[^speed]: 来源：作者的比赛记录，batch size 64 时 1174.2 examples/sec。\n"
    assert origins(page) == [("throughput", "1174.2 examples/sec", "source")]


def test_a_citation_elsewhere_on_the_page_is_not_an_origin():
    page = "The paper is [@he2020moco]. Our loop took 18.7 ms.\n"
    assert origins(page) == [("time", "18.7 ms", None)]


def test_a_block_in_the_same_section_that_holds_the_number_is_an_origin():
    page = ("## A\n\nThe two were up to 4.8 ms apart and the range grew by 32%.\n\n"
            "```python\nassert abs(gap - 4.8) < 0.1\nassert round(growth, 2) == 0.32\n```\n\n"
            "## B\n\nAnother 4.8 ms here is not checked by the block of section A.\n")
    assert origins(page) == [("time", "4.8 ms", "block"), ("percent", "32%", "block"), ("time", "4.8 ms", None)]


def test_a_skipped_block_checks_nothing_and_a_single_digit_is_not_enough():
    page = ("It needs 3 GB and 45 ms.\n\n<!--pytest.mark.skip(reason=\"by hand\")-->\n```python\nx = 45\n```\n\n"
            "```python\nlayers = 3\n```\n")
    assert origins(page) == [("memory", "3 GB", None), ("time", "45 ms", None)]


def test_tables_take_units_from_their_header_and_their_introduction():
    page = ("Throughput by batch size:\n\n| batch | images/s |\n|---|---|\n| 32 | 420 |\n\n"
            "Measured by the author[^log]:\n\n| batch size | 32 | 64 |\n|---|---|---|\n| 图片 / 秒 | 1033.4 | 1174.2 |\n\n"
            "[^log]: 来源：作者的记录。\n")
    assert origins(page) == [("throughput", "420 images/s", None), ("throughput", "1033.4 图片 / 秒", "source"),
                             ("throughput", "1174.2 图片 / 秒", "source")]


def test_code_math_comments_shapes_and_decades_are_not_measurements():
    page = ("Inputs of 224×224 and a 64 × 32 matrix, `5 ms` in code, $t = 3\\,\\text{ms}$, "
            "the 1990s, \"Training ImageNet in 1 Hour\", 《在 1 小时内训练》.\n<!-- 7 ms in a comment -->\n\n```python\nx = 9  # 9 GB\n```\n")
    assert origins(page) == []
