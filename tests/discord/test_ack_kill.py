"""An acknowledgement is a promise on Discord (issue 13, point 1), on a real `studybot serve`:
SIGKILL in a burst of answer clicks. Discord does not deliver an interaction again; every one
the process acknowledged (deferred) before it died is recorded."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from adapters.discord.buttons import ANSWER
from tests.conftest import read_once
from tests.discord.payloads import ALICE, Person, click, custom_ids, option, slash
from tests.discord.stand_in import DiscordStandIn
from tests.served import served

DEADLINE = 60.0
CLICKS = 200
KILL_AFTER = 100
# An id well away from the stand-in's people.
FIRST_PERSON = 710000000000000000


def answering_users(connection: Connection) -> set[str]:
    rows = connection.execute(text("SELECT u.external_id FROM answers a JOIN users u ON u.id = a.user_id"))
    return {str(row[0]) for row in rows}


async def test_every_click_deferred_before_a_sigkill_is_recorded(tmp_path: Path) -> None:
    stand_in = DiscordStandIn()
    await stand_in.start()
    url = f"sqlite:///{tmp_path / 'served.db'}"
    discord = {
        "DISCORD_TOKEN": stand_in.token,
        "DISCORD_API_URL": stand_in.api_url,
        "DISCORD_GATEWAY_URL": stand_in.gateway_url,
    }
    unset_slack: dict[str, str | None] = {"SLACK_BOT_TOKEN": None, "SLACK_SIGNING_SECRET": None}
    try:
        async with (
            asyncio.timeout(DEADLINE),
            served(tmp_path, "", STUDYBOT_DATABASE_URL=url, **discord, **unset_slack) as bot,
        ):
            await stand_in.wait_for(lambda: stand_in.identifies, DEADLINE)
            answer = ""
            # The bank picks the question: ask again until it is one answered by a button (not a
            # flashcard's reveal or a multiple-response menu).
            while not re.fullmatch(ANSWER, answer):
                _callback, posted = await stand_in.interact(
                    slash(ALICE, "quiz", option("topic", "ecs")), followups=1
                )
                question = next(m for m in stand_in.messages.values() if m["embeds"] == posted.body["embeds"])
                answer = custom_ids(question)[0]
            clicks = [click(Person(FIRST_PERSON + n, f"p{n}"), question, answer) for n in range(CLICKS)]

            def deferred() -> list[dict[str, Any]]:
                """The clicks whose interaction was acknowledged (its callback arrived)."""
                answered = {r.path for r in stand_in.requests if r.method == "POST" and r.status == 200}
                return [c for c in clicks if f"/interactions/{c['id']}/{c['token']}/callback" in answered]

            for interaction in clicks:
                await stand_in.dispatch("INTERACTION_CREATE", interaction)
            await stand_in.wait_for(lambda: len(deferred()) >= KILL_AFTER, DEADLINE)
            bot.process.send_signal(signal.SIGKILL)
            await bot.exited()
            acknowledged = {str(c["member"]["user"]["id"]) for c in deferred()}
    finally:
        await stand_in.stop()

    recorded = await read_once(url, answering_users)
    assert len(acknowledged) >= KILL_AFTER
    lost = acknowledged - recorded
    assert lost == set(), f"{len(lost)} of {len(acknowledged)} acknowledged clicks were lost"
