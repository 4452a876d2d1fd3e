"""Benchmarks: `python -m benchmarks` writes benchmarks/results.md."""
