"""The core never imports a chat platform's library."""

import subprocess
import sys


def test_bot_imports_with_slack_and_discord_blocked() -> None:
    script = (
        "import sys\n"
        "for name in ('slack_bolt', 'slack_sdk', 'discord', 'aiohttp'):\n"
        "    sys.modules[name] = None\n"
        "import pkgutil, importlib, bot\n"
        "for module in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    if '.migrations' not in module.name:\n"
        "        importlib.import_module(module.name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_use_cases_import_no_storage_library() -> None:
    """`bot.app` and `bot.daily` reach storage only through the unit of work's protocols."""
    script = (
        "import sys\n"
        "for name in ('sqlalchemy', 'aiosqlite', 'asyncpg', 'alembic'):\n"
        "    sys.modules[name] = None\n"
        "import pkgutil, importlib, bot.app, bot.daily\n"
        "for package in (bot.app, bot.daily):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr
