"""`studybot chat` as a person runs it: a process of its own in a folder of its own (never the
developer's `.env`), a script typed on its input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import CONTENT_DIR


def chat_environment(tmp_path: Path, content: Path) -> dict[str, str]:
    """The whole environment of a chat on the bank in `content`, at home in `tmp_path`."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(CONTENT_DIR.parent),
        "STUDYBOT_CONTENT_DIR": str(content),
    }


def studybot_chat(
    tmp_path: Path, script: str, environment: dict[str, str], *options: str
) -> subprocess.CompletedProcess[str]:
    """`studybot chat OPTIONS` in `tmp_path`, its database there, with `script` typed in."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", "--db", str(tmp_path / "chat.db"), *options],
        input=script,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
