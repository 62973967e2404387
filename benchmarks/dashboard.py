"""Issue 19, point 5: the dashboard on a workspace of 10,000 people and 1,000,000 answers.

The history is written by `benchmarks.populate` (answers and running totals, as the leaderboard
benchmark does); the questions are then spread over the bank's questions and topics, a tenth of
the posts become questions of the day, and the dashboard's aggregates are derived from the
answers in SQL (one INSERT ... SELECT ... GROUP BY per table: what the answer path would have
added, answer by answer), as are the spaced-repetition cards (one per person and question
answered) and a third of the people's exam dates (the readiness page). Then:

- each page's server time: requests over loopback to the dashboard's routes (aiohttp), p99;
- in headless Chromium (when installed): navigation start to the load event with every chart
  drawn (the SVG is in the page, so drawn means loaded), p99 over a few loads per page.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from adapters.web.app import DashboardRoutes
from benchmarks.loops import percentile
from benchmarks.populate import populate
from benchmarks.report import Figure, at_most, info
from bot.app.dashboard_tally import domain_key
from bot.bank import QuestionBank
from bot.bootstrap import compose
from bot.dashboard_links import DashboardLinks, LinkGrant
from bot.db.database import Database
from bot.db.migrate import upgrade

PAGES = ("", "topics", "boards", "daily", "questions", "people", "readiness")
FULL = (1_000_000, 10_000, 200, 60, 5)  # answers, people, teams, requests per page, browser loads
QUICK = (50_000, 2_000, 40, 10, 1)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SERVER_P99_MS = 150.0
BROWSER_P99_MS = 1500.0


def _aggregate(path: Path, questions: QuestionBank, teams: int) -> None:
    """Spread the posts over the bank, and derive the dashboard's tables from the answers."""
    rng = random.Random(19)
    choice_questions = [q for q in questions.questions if q.choices]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    instances = [row[0] for row in db.execute("SELECT id FROM question_instances ORDER BY id")]
    db.execute(
        "CREATE TEMP TABLE posts (instance_id INTEGER PRIMARY KEY, question_id TEXT, "
        "topic TEXT, domain TEXT, choices INTEGER, answer INTEGER, week TEXT, day TEXT)"
    )
    rows = []
    for instance in instances:
        question = rng.choice(choice_questions)
        day = db.execute(
            "SELECT date(posted_at) FROM question_instances WHERE id = ?", (instance,)
        ).fetchone()[0]
        year, week, _ = datetime.fromisoformat(day).isocalendar()
        rows.append(
            (
                instance,
                question.id,
                question.primary_topic,
                domain_key(question.domain),
                len(question.choices),
                question.choices.index(question.answers[0]),
                f"{year}-W{week:02d}",
                day,
            )
        )
    db.executemany("INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute(
        "UPDATE question_instances SET question_id = (SELECT question_id FROM posts WHERE "
        "posts.instance_id = question_instances.id)"
    )
    db.execute(
        "UPDATE question_instances SET mode = 'daily', post_state = 'posted', daily_date "
        "= date(posted_at) WHERE id % 10 = 0"
    )
    db.execute(
        "INSERT INTO dash_days SELECT 1, date(answered_at), COUNT(*), SUM(correct), "
        "COUNT(DISTINCT user_id) FROM answers GROUP BY date(answered_at)"
    )
    db.execute(
        "INSERT INTO dash_weeks SELECT 1, p.week, COUNT(DISTINCT a.user_id) FROM answers "
        "a JOIN posts p ON p.instance_id = a.instance_id GROUP BY p.week"
    )
    db.execute(
        "INSERT INTO dash_activity SELECT user_id, 1, MAX(date(answered_at)) FROM answers GROUP BY user_id"
    )
    topic_sql = (
        "INSERT INTO dash_topics SELECT 1, '{kind}', {owner}, p.{column}, COUNT(*), "
        "SUM(a.correct) FROM answers a JOIN posts p ON p.instance_id = a.instance_id "
        "GROUP BY {group}p.{column}"
    )
    for column in ("topic", "domain"):  # each answer counts under its topic and its exam domain
        db.execute(topic_sql.format(kind="w", owner="0", group="", column=column))
        db.execute(topic_sql.format(kind="t", owner="a.team_id", group="a.team_id, ", column=column))
        db.execute(topic_sql.format(kind="u", owner="a.user_id", group="a.user_id, ", column=column))
    # A wrong answer picked one of the wrong choices: spread by user, as people differ.
    db.execute(
        "INSERT INTO dash_choices SELECT 1, question_id, choice, COUNT(*) FROM ("
        " SELECT p.question_id, CASE WHEN a.correct THEN p.answer"
        " ELSE (p.answer + 1 + a.user_id % (p.choices - 1)) % p.choices END AS choice"
        " FROM answers a JOIN posts p ON p.instance_id = a.instance_id) GROUP BY question_id, choice"
    )
    db.execute(
        "INSERT INTO dash_daily SELECT a.instance_id, a.team_id, 1, COUNT(*), "
        "SUM(a.correct) FROM answers a WHERE a.instance_id % 10 = 0 GROUP BY "
        "a.instance_id, a.team_id"
    )
    db.execute("COMMIT")
    db.close()


def _learning(path: Path, people: int) -> None:
    """One card per person and question answered, in the review state, its stability growing
    with the right answers, last reviewed at the last answer; a third of the people with an exam
    date from 1 to 120 days ahead."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO cards SELECT a.user_id, q.question_id, 2, NULL, 1.0 + 3.0 * SUM(a.correct), 5.0, "
        "datetime(MAX(a.answered_at), '+' || (1 + 3 * SUM(a.correct)) || ' days'), MAX(a.answered_at), "
        "COUNT(*), MIN(a.answered_at) FROM answers a JOIN question_instances q ON q.id = a.instance_id "
        "GROUP BY a.user_id, q.question_id"
    )
    updated = NOW.replace(tzinfo=None).isoformat(sep=" ")
    db.executemany(
        "INSERT INTO learner_profiles (user_id, exam_date, updated_at) VALUES (?, ?, ?)",
        (
            (user, (NOW + timedelta(days=1 + user % 120)).date().isoformat(), updated)
            for user in range(1, people + 1, 3)
        ),
    )
    db.execute("COMMIT")
    db.close()


async def _server_times(base: str, token: str, requests: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    async with aiohttp.ClientSession() as http:
        for round_ in range(requests + 1):
            for page in PAGES:
                url = f"{base}/dashboard/{page}?t={token}" if page else f"{base}/dashboard?t={token}"
                started = time.perf_counter()
                async with http.get(url) as response:
                    await response.read()
                    assert response.status == 200, page
                if round_:  # the first round warms up (templates compiled, pygal imported)
                    times[page].append(time.perf_counter() - started)
    return times


def _browser_times(base: str, token: str, loads: int) -> dict[str, list[float]] | None:
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver: Any = webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)
    script = (
        "const charts = Array.from(document.querySelectorAll('figure.chart svg'));"
        "if (!charts.every(svg => svg.querySelectorAll('path, rect').length > 0)) return -1;"
        "const nav = performance.getEntriesByType('navigation')[0];"
        "return nav.loadEventEnd - nav.startTime;"
    )
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    try:
        for _ in range(loads):
            for page in PAGES:
                driver.get(f"{base}/dashboard/{page}?t={token}" if page else f"{base}/dashboard?t={token}")
                elapsed = float(driver.execute_script(script))
                assert elapsed >= 0, page
                times[page].append(elapsed / 1000)
    finally:
        driver.quit()
    return times


async def run(directory: Path, questions: QuestionBank, quick: bool) -> list[Figure]:
    answers, people, teams, requests, loads = QUICK if quick else FULL
    path = directory / "dashboard.db"
    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    await database.dispose()
    started = time.perf_counter()
    populate(path, answers, people, teams, NOW - timedelta(days=1))
    _aggregate(path, questions, teams)
    _learning(path, people)
    seeded = time.perf_counter() - started
    database = Database(f"sqlite:///{path}")
    core = compose(database, questions, _Clock(), "UTC")
    links = DashboardLinks("benchmark-secret-0123456789", "http://127.0.0.1")
    app = web.Application()
    DashboardRoutes(core.dashboard, links, _Clock()).add_to(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    token = links.token(LinkGrant("slack:T1", "U000001", True), NOW)
    figures = [info(f"dashboard: seeding {answers:,} answers, {people:,} people", seeded, "s")]
    try:
        for page, samples in (await _server_times(base, token, requests)).items():
            name = f"dashboard server time p99, page /{page or 'participation'}"
            figures.append(at_most(name, percentile(samples, 0.99) * 1000, "ms", SERVER_P99_MS))
        browser = await asyncio.to_thread(_browser_times, base, token, loads)
        for page, samples in (browser or {}).items():
            name = f"dashboard in Chromium, navigation to charts drawn p99, /{page or 'participation'}"
            figures.append(at_most(name, percentile(samples, 0.99) * 1000, "ms", BROWSER_P99_MS))
    finally:
        await runner.cleanup()
        await core.close()
    return figures


class _Clock:
    def now(self) -> datetime:
        return NOW
