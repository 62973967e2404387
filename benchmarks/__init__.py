"""Studybot's benchmark suite: `python -m benchmarks` (or `--quick`). See benchmarks/README.md."""
