"""`studybot serve` as operations see it: a real process, its probes, metrics, logs and SIGTERM."""

import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.ops import add_routes
from bot.db.faults import DatabaseFault, Fault
from bot.db.schema import HEAD_REVISION
from bot.logs import REDACTED, RedactSecrets, configure_logging
from tests.conftest import CONTENT_DIR
from tests.ports import free_port

BOT_TOKEN = "xoxb-1111-2222-secretsecret"
SIGNING_SECRET = "signing-secret-never-logged"
START_DEADLINE = 30.0


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_serve(tmp_path: Path, **extra: str) -> tuple[subprocess.Popen[str], str]:
    """`studybot serve` for Slack on free ports, JSON logs on its standard error, once /healthz
    answers."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(CONTENT_DIR.parent),
        "STUDYBOT_HTTP_PORT": str(port),
        "STUDYBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "STUDYBOT_LOG_FORMAT": "json",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            if get(base + "/healthz")[0] == 200:
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"serve did not come up: {process.communicate()[1]}")
            time.sleep(0.05)  # polling the port until it answers, bounded by the deadline


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, base = start_serve(tmp_path)
    yield process, base
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_a_running_serve_says_little_at_info(tmp_path: Path) -> None:
    """A start (migrating a new database) and a stretch of scheduler checks, one a second here
    (every 10 s by default): a handful of lines, and none from the libraries' routine."""
    process, base = start_serve(tmp_path, STUDYBOT_SCHEDULER_CHECK_SECONDS="1")
    try:
        deadline = time.monotonic() + START_DEADLINE
        while not re.search(
            r"^studybot_scheduler_checks_total ([6-9]|\d\d)", get(base + "/metrics")[1], re.M
        ):
            assert time.monotonic() < deadline, "the scheduler made no six checks"
            # Polling the metric until six checks (a minute at the default pace), bounded above.
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, logs = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    # The serving line names the connection cap and the open-file limit it was worked out from.
    serving = next(r["message"] for r in records if r["message"].startswith("serving"))
    cap = re.sub(r"^serving on port \d+", "", serving)
    assert re.fullmatch(r" \(at most \d+ connections, open-file limit \d+\)", cap), cap
    assert [(r["level"], r["name"], r["message"]) for r in records] == [
        ("INFO", "bot.db.schema", f"database schema brought up to revision {HEAD_REVISION}"),
        ("INFO", "adapters.serve", "slack started"),
        ("INFO", "bot.daily.scheduler", "this process now runs the daily scheduler of slack"),
        ("INFO", "adapters.serve", f"serving on port {base.rsplit(':', 1)[1]}{cap}"),
        ("INFO", "adapters.serve", "stopping"),
        ("INFO", "adapters.slack.background", "stopping: every acknowledged Slack request finished"),
    ], logs


def test_probes_metrics_logs_and_a_graceful_sigterm(served: tuple[subprocess.Popen[str], str]) -> None:
    process, base = served
    # /healthz answers as soon as the server listens; readiness waits for the scheduler's first
    # leadership check, so poll it (bounded) and count the polls for the metric below.
    polls, deadline = 0, time.monotonic() + START_DEADLINE
    while True:
        status, body = get(base + "/readyz")
        polls += 1
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status == 200 and json.loads(body) == {
        "ready": True,
        "checks": {
            "database": True,
            "accepting": True,
            "slack": True,
            "slack_queue": True,
            "scheduler": True,
        },
    }
    status, metrics = get(base + "/metrics")
    assert status == 200
    assert f'studybot_http_request_seconds_count{{route="/readyz"}} {float(polls)}' in metrics
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


def test_library_routine_and_known_noise_stay_out_of_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in ("apscheduler", "alembic")}
    try:
        configure_logging("INFO", json_lines=False)
        logging.getLogger("apscheduler.executors.default").info('Running job "DailyScheduler.check"')
        logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.schemas")
        logging.getLogger("slack_bolt.AsyncApp").warning(
            "As you gave `client` as well, `token` will be unused."
        )
        logging.getLogger("discord.client").warning("PyNaCl is not installed, voice will NOT be supported")
        logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed by 0:00:03")
        logging.getLogger("bot.daily.scheduler").info("this process now runs the daily scheduler")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "WARNING apscheduler.scheduler: Run time of job was missed by 0:00:03",
        "INFO bot.daily.scheduler: this process now runs the daily scheduler",
    ]


def test_readiness_answers_503_within_a_second_while_the_database_is_locked(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock: each of several polls at once answers 503
    within the probe's timeout (before: 10 s, then no answer within 15 s), /healthz at once, and
    /readyz is ready again once the lock is gone. Held for less than SQLite's busy timeout (5 s),
    the lock is no fault: the writes waiting for it go through once it is released."""
    process, base = start_serve(tmp_path)
    try:
        deadline = time.monotonic() + START_DEADLINE
        while get(base + "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "serve never became ready"
            time.sleep(0.05)  # polling until ready, bounded by the deadline
        holder = sqlite3.connect(tmp_path / "ops.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:

            def timed(path: str) -> tuple[int, bool | None, float]:
                started = time.monotonic()
                status, body = get(base + path)
                database = json.loads(body).get("checks", {}).get("database")
                return status, database, time.monotonic() - started

            with ThreadPoolExecutor(6) as polls:
                answers = list(polls.map(timed, ["/readyz"] * 5 + ["/healthz"]))
            answers.append(timed("/readyz"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert [answer[:2] for answer in answers] == [(503, False)] * 5 + [(200, None), (503, False)]
        assert max(answer[2] for answer in answers) < 1.5, answers
        deadline = time.monotonic() + START_DEADLINE
        while get(base + "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "serve never became ready again"
            time.sleep(0.05)  # polling until ready again (the quiet period after the fault)
        process.send_signal(signal.SIGTERM)
        _, logs = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert [r for r in records if r["level"] not in ("INFO", "DEBUG")] == []


async def test_readiness_is_503_never_500_whatever_the_database_probe_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A known fault is logged where it starts; anything else is logged here, with its traceback."""
    failures: list[Exception] = [DatabaseFault(Fault.UNREACHABLE), RuntimeError("a bug in the probe")]

    async def probe() -> None:
        raise failures.pop(0)

    app = web.Application()
    add_routes(app, probe, [("accepting", lambda: True)])
    async with TestClient(TestServer(app)) as client:
        with caplog.at_level(logging.WARNING, logger="adapters.ops"):
            for _ in range(2):
                response = await client.get("/readyz")
                assert (response.status, await response.json()) == (
                    503,
                    {"ready": False, "checks": {"database": False, "accepting": True}},
                )
    assert [(r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        ("the readiness probe of the database failed", True)
    ]
