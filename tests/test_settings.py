"""Settings: read once, and in the test suite never from the developer's own `.env`."""

from pathlib import Path

import pytest

from bot.settings import load_settings


def test_a_developers_env_file_never_reaches_a_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("STUDYBOT_HTTP_PORT=not-a-port\nSTUDYBOT_LOG_LEVEL=LOUD\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.studybot_http_port == 3000 and settings.studybot_log_level == "INFO"
