"""`studybot` leaves once its command is done, without waiting for a thread still at work (a
write that serve's stop cut short, waiting on SQLite's lock), and with its exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The thread would hold the process this long; the test allows a small part of it.
THREAD_SECONDS = 60
WITHIN = 20

SCRIPT = f"""
import threading, time
import adapters.cli as cli
threading.Thread(target=time.sleep, args=({THREAD_SECONDS},)).start()
cli.main = lambda argv=None: 3
print("done", flush=True)
cli.run()
"""


def test_the_command_exits_with_its_code_without_waiting_for_a_thread_still_at_work() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=WITHIN
    )
    assert finished.returncode == 3, finished.stderr
    assert finished.stdout == "done\n"
