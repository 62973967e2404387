"""The `studybot` command's entry point, kept light. For `studybot serve`, a stop signal is
remembered (`adapters.early_signals`) before the half second of imports `adapters.cli` takes, so a
SIGTERM that early still ends in an orderly stop instead of exit 143 with nothing logged."""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] == ["serve"]:
        from adapters import early_signals

        early_signals.remember()
    from adapters.cli import run as command

    command()


if __name__ == "__main__":
    run()
