"""Benchmarks (each `python -m tools.bench.<name> --help`), their results under benchmarks/,
and page.py, which writes docs/performance.md from those results."""
