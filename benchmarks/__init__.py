"""Studybot's benchmark suite: `python -m benchmarks` (or `--quick`).

The README's "Benchmarks" section says what each figure measures.
"""
