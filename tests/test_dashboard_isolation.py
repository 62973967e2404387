"""The dashboard's libraries stay out of the chat handlers' path (issue 19, point 1): the Slack
and Discord adapters, the terminal and the core import without pygal, CairoSVG or Jinja2, and
`studybot serve` imports them only when the dashboard is on."""

import subprocess
import sys

CHAT_MODULES = (
    "adapters.slack.component",
    "adapters.slack.listeners",
    "adapters.discord.component",
    "adapters.terminal",
    "adapters.serve",
    "adapters.cli",
    "bot.bootstrap",
)


def test_chat_handlers_import_without_the_dashboards_libraries() -> None:
    script = (
        "import sys, importlib\n"
        "for name in ('pygal', 'cairosvg', 'jinja2', 'adapters.web', 'adapters.web.app'):\n"
        "    sys.modules[name] = None\n"
        f"for module in {CHAT_MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr
