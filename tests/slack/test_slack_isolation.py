"""The core and `studybot serve` import nothing from Slack until Slack is configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapters.slack.mrkdwn import code_block, escape

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("slack_bolt", "slack_sdk", "slack"):
            raise ImportError(f"{name} is blocked")
        return None

sys.meta_path.insert(0, Block())
import adapters.serve, adapters.slack.config, bot.app.commands, bot.app.quiz, bot.bootstrap
print("imported")
"""


def test_the_core_and_serve_import_without_slack_libraries() -> None:
    run = subprocess.run(
        [sys.executable, "-c", BLOCKED], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert run.stdout.strip() == "imported", run.stderr


def test_mentions_and_code_blocks_are_neutralised() -> None:
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"
    assert code_block("a```b <!channel>") == "```\naˋˋˋb &lt;!channel&gt;\n```"
