"""The verification badge hook (tools/site/hooks/badges.py), called directly."""

from __future__ import annotations

import markdown

from tools.log.snippets import code_digest, modules_in_note
from tools.site.hooks.badges import add_badges, badge, page_badges

NOTE = """\
# Dropout

```python title="snippets/dropout.py"
def keep(p):
    return 1 - p
```
"""

CPU = {"date": "2026-11-23", "device_name": "AMD EPYC 7763", "tests_passed": 12, "torch": "2.13.0+cpu"}
CUDA = {"date": "2026-11-24", "device_name": "NVIDIA H100 80GB HBM3", "tests_passed": 1, "torch": "2.13.0+cu130"}


def digest() -> str:
    return code_digest(modules_in_note(NOTE, "docs/courses/dropout.md")["dropout"])


def test_a_matching_record_names_devices_tests_torch_and_date():
    entry = {"sha256": digest(), "devices": {"cuda": CUDA, "cpu": CPU}}
    assert badge(entry, digest()) == (
        "verified on CPU (12 tests, AMD EPYC 7763, torch 2.13.0, 2026-11-23) "
        "and CUDA (1 test, NVIDIA H100 80GB HBM3, torch 2.13.0, 2026-11-24)",
        True,
    )


def test_a_record_of_another_version_does_not_count():
    assert badge({"sha256": "0" * 64, "devices": {"cpu": CPU}}, digest()) == ("not verified for this version", False)
    assert badge(None, digest()) == ("not verified", False)


def test_the_hash_is_that_of_the_module_the_page_exports_now():
    records = {"dropout": {"sha256": digest(), "devices": {"cpu": CPU}}}
    assert page_badges(NOTE, "docs/courses/dropout.md", records)["snippets/dropout.py"][1] is True
    moved = NOTE.replace("# Dropout\n", "# Dropout\n\nText above the block moves its line.\n")
    assert "dropout.md:5" in modules_in_note(moved, "docs/courses/dropout.md")["dropout"]
    assert page_badges(moved, "docs/courses/dropout.md", records)["snippets/dropout.py"][1] is True
    edited = NOTE.replace("1 - p", "1.0 - p")
    assert page_badges(edited, "docs/courses/dropout.md", records) == {
        "snippets/dropout.py": ("not verified for this version", False, "✗ not verified")
    }


def test_the_badge_goes_into_the_title_material_shows():
    html = markdown.markdown(NOTE, extensions=["pymdownx.superfences", "pymdownx.highlight"])
    assert '<span class="filename">snippets/dropout.py</span>' in html
    badges = {"snippets/dropout.py": ("verified on CPU (…)", True, "✓ CPU"),
              "snippets/other.py": ("not verified", False, "✗ not verified")}
    out, missing = add_badges(html, badges, "../../verified/")
    assert missing == ["snippets/other.py"]
    assert ('snippets/dropout.py <span class="papernotes-badge papernotes-verified" title="verified on CPU (…)">'
            '<a href="../../verified/#module-dropout">✓ CPU</a></span></span>') in out


def test_every_exported_block_of_the_site_shows_a_badge(site):
    from tools.log.snippets import ROOT, plan

    modules, _, errors = plan(ROOT)
    assert not errors
    for module in modules.values():
        page = site.path / module.source.removeprefix("docs/").removesuffix(".md") / "index.html"
        html = page.read_text(encoding="utf-8")
        badges = html.count(f'<span class="filename">{module.path} <span class="papernotes-badge')
        assert badges == len(module.fences), f"{module.source}: {badges} badges for {len(module.fences)} exported blocks"
