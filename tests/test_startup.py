"""Start-up mistakes end in one line naming what to fix, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main
from tests.conftest import CONTENT_DIR
from tests.ports import free_port

ROOT = CONTENT_DIR.parent
WITHOUT_MODULES = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Missing())
from adapters.cli import main
sys.exit(main(sys.argv[2:]))
"""


def studybot(tmp_path: Path, *args: str, missing: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`studybot ARGS` in its own folder, as if the modules in `missing` were not installed."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MODULES, missing or "-", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("missing", "args", "env", "extra"),
    [
        (
            "aiohttp,slack_bolt,slack_sdk",
            ["serve"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
            "slack",
        ),
        ("discord", ["discord", "invite-url"], {"DISCORD_APPLICATION_ID": "123456789012345678"}, "discord"),
        (
            "asyncpg",
            ["db", "upgrade"],
            {"STUDYBOT_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"},
            "postgres",
        ),
    ],
)
def test_a_missing_extra_names_the_install_that_fixes_it(
    tmp_path: Path, missing: str, args: list[str], env: dict[str, str], extra: str
) -> None:
    result = studybot(tmp_path, *args, missing=missing, **env)
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("studybot: ") and line.endswith(f"pip install 'studybot[{extra}]'"), line


def test_an_unreachable_discord_is_one_line_naming_where(tmp_path: Path) -> None:
    port, http_port = free_port(), free_port()
    api = f"http://127.0.0.1:{port}/api/v10"
    result = studybot(
        tmp_path,
        "serve",
        DISCORD_TOKEN="abc",
        DISCORD_API_URL=api,
        STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        STUDYBOT_HTTP_PORT=str(http_port),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"studybot: Discord cannot be reached at {api}"), result.stderr


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return code, err.strip()


def test_a_folder_given_as_the_database_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = run_main(capsys, "chat", "--db", str(tmp_path))
    assert code == 2
    assert (
        line == f"studybot: --db: {tmp_path} is a folder; give a file in it, like {tmp_path / 'studybot.db'}"
    )
    (tmp_path / "file").write_text("")
    code, line = run_main(capsys, "chat", "--db", str(tmp_path / "file" / "studybot.db"))
    assert code == 2 and f"as {tmp_path / 'file'} is a file and not a folder" in line


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("notaurl", "'notaurl' is not a database URL: use sqlite:///PATH or postgresql://USER@HOST/DATABASE"),
        ("mysql://u@h/d", "'mysql' databases are not supported"),
    ],
)
def test_a_malformed_database_url_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", url)
    code, line = run_main(capsys, "chat")
    assert code == 2
    assert line.startswith("studybot: STUDYBOT_DATABASE_URL is not valid: " + message), line


def test_a_missing_content_folder_names_the_setting_that_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(tmp_path / "nowhere"))
    for command in (["chat", "--db", str(tmp_path / "x.db")], ["content", "lint"], ["serve"]):
        code, line = run_main(capsys, *command)
        assert code == 2
        assert line == (
            f"studybot: STUDYBOT_CONTENT_DIR: no question bank in {tmp_path / 'nowhere'} "
            "(no topics.yaml there); set STUDYBOT_CONTENT_DIR to the folder that holds it"
        )


@pytest.mark.parametrize(
    "platform",
    [
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://127.0.0.1:1/api/",
        },
        {"DISCORD_TOKEN": "abc", "DISCORD_API_URL": "http://127.0.0.1:1/api/v10"},
    ],
    ids=["slack", "discord"],
)
def test_a_port_already_taken_is_one_line_naming_the_setting(
    tmp_path: Path, platform: dict[str, str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = studybot(
            tmp_path,
            "serve",
            STUDYBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
            STUDYBOT_HTTP_PORT=str(port),
            **platform,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"studybot: cannot serve HTTP on 0.0.0.0:{port}: the port is already in use "
        "(STUDYBOT_HTTP_PORT chooses another port)"
    ), result.stderr
