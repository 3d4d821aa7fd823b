"""This log's tags page: a topic tagged in Chinese on some notes and in English on
others is one tag."""

from __future__ import annotations

from tests.test_reader_tags import tags_page

PAIRS = [("Self-supervised", "自监督学习"), ("Detection", "目标检测"), ("Segmentation", "语义分割")]


def test_no_topic_is_listed_under_two_names(site):
    listed = tags_page(site.path)
    for english, chinese in PAIRS:
        names = [name for name in listed if english in name or chinese in name]
        assert names == [f"{english} · {chinese}"], names
    topic = listed["Self-supervised · 自监督学习"]
    assert "MoCo: Momentum Contrast for Unsupervised Visual Representation Learning" in topic
    assert any(title.startswith("Weekly report from 2022.05.16") for title in topic)  # tagged 自监督学习
