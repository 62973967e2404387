"""`studybot serve` remembers a stop signal from its first moments, before the command's imports
(`adapters.launch`): a SIGTERM then ends in an orderly stop instead of killing the process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The command module, standing in for the real one, receives the SIGTERM while it would be
# importing, and says whether the signal was remembered rather than fatal.
SCRIPT = """
import os, signal, sys, types
command = types.ModuleType("adapters.cli")
def run():
    os.kill(os.getpid(), signal.SIGTERM)
    from adapters import early_signals
    print("remembered" if early_signals.received() else "not remembered", flush=True)
command.run = run
sys.modules["adapters.cli"] = command
sys.argv = ["studybot", {arguments}]
from adapters.launch import run as launch
launch()
"""


def launched(*arguments: str) -> subprocess.CompletedProcess[str]:
    script = SCRIPT.format(arguments=", ".join(repr(a) for a in arguments))
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_a_sigterm_while_serve_is_importing_is_remembered() -> None:
    finished = launched("serve")
    assert (finished.returncode, finished.stdout) == (0, "remembered\n"), finished.stderr


def test_other_commands_keep_the_default_signals() -> None:
    """`studybot chat` and the others stop on SIGTERM (and Ctrl-C) as any program does."""
    assert launched("chat").returncode == -signal.SIGTERM
