"""`studybot serve` as operations see it: a real process, its probes, metrics, logs and SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import REDACTED, RedactSecrets
from tests.conftest import CONTENT_DIR

BOT_TOKEN = "xoxb-1111-2222-secretsecret"
SIGNING_SECRET = "signing-secret-never-logged"
START_DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "STUDYBOT_HTTP_PORT": str(port),
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "STUDYBOT_LOG_FORMAT": "json",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve"],
        env=env,
        cwd=CONTENT_DIR.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            if get(base + "/healthz")[0] == 200:
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"serve did not come up: {process.communicate()[1]}")
            time.sleep(0.05)  # polling the port until it answers, bounded by the deadline
    yield process, base
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_probes_metrics_logs_and_a_graceful_sigterm(served: tuple[subprocess.Popen[str], str]) -> None:
    process, base = served
    deadline = time.monotonic() + START_DEADLINE
    # Alive before ready: the platform and the schedulers start after the HTTP server.
    while (answer := get(base + "/readyz"))[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.05)  # polling readiness, bounded by the deadline
    status, body = answer
    assert status == 200 and json.loads(body) == {
        "ready": True,
        "checks": {"database": True, "slack": True, "scheduler": True},
    }
    status, metrics = get(base + "/metrics")
    assert status == 200
    assert 'studybot_http_request_seconds_count{route="/readyz"} ' in metrics
    assert 'studybot_scheduler_leader{platform="slack"} 1.0' in metrics
    process.send_signal(signal.SIGTERM)
    _, logs = process.communicate(timeout=30)
    assert process.returncode == 0
    records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert any(r["message"] == "stopping" for r in records)
    assert BOT_TOKEN not in logs and SIGNING_SECRET not in logs


def test_secrets_and_token_shapes_are_masked_in_log_records() -> None:
    mask = RedactSecrets(["hunter2-long-secret"])
    assert mask.redact("password hunter2-long-secret") == f"password {REDACTED}"
    assert mask.redact("token xoxb-123-abc and xapp-1-A-2") == f"token {REDACTED} and {REDACTED}"
    assert mask.redact("postgresql://bot:pw@db/studybot") == f"postgresql://{REDACTED}@db/studybot"
