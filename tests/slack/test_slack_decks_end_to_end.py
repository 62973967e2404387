"""Issue 18, point 6: the Slack import form end to end, with the real decks (as `studybot serve`
wires them) and the real database: a CSV chosen in the modal becomes the workspace's topic, and
`/quiz TOPIC` posts its questions; a bad file imports nothing; the export reads back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_harness import SlackBot, running_bot, text_of
from slack_stand_in import StandInSlack
from test_slack_decks import ADMIN, import_file

from bot.decks.entries import DeckOptions
from bot.decks.reader import read_deck

pytestmark = pytest.mark.timeout(60)
CSV = (
    "question,answer,explanation\n"
    "What runs containers without servers?,AWS Fargate,Fargate runs the task.\n"
    "What stores our images?,Amazon ECR,\n"
    "What runs our Kubernetes clusters?,Amazon EKS,\n"
    "What schedules our tasks?,The ECS scheduler,\n"
)


@pytest.fixture
async def real_decks_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> AsyncIterator[SlackBot]:
    slack_api.admins.add(ADMIN.id)
    async with running_bot(slack_api, tmp_path) as bot:
        yield bot


async def test_a_deck_chosen_in_the_form_is_asked_with_quiz_topic(real_decks_bot: SlackBot) -> None:
    bot = real_decks_bot
    answer = await import_file(bot, "team.csv", CSV.encode(), "Team ECS", choices=4)
    assert "Imported the deck 'Team ECS': 4 questions (csv)" in text_of(answer)
    await bot.slash("team-ecs", ADMIN)
    [posted] = await bot.api.wait_ok("chat.postMessage")
    shown = text_of(posted.body)
    assert any(prompt in shown for prompt in [line.split(",")[0] for line in CSV.splitlines()[1:]])
    assert "Team ECS" in shown

    [reply] = await bot.responses(await bot.slash("deck list", ADMIN))
    assert "Team ECS" in text_of(reply) and "team-ecs" in text_of(reply)

    await bot.responses(await bot.slash("deck export Team ECS csv", ADMIN))
    [uploaded] = bot.api.ok("upload")
    again = read_deck(bot.api.uploads[uploaded.body["file_id"]], "team-ecs.csv", DeckOptions("team-ecs"))
    assert again.ok and [e["kind"] for e in again.entries] == ["multiple_choice"] * 4


async def test_a_bad_file_imports_nothing_and_names_every_problem(real_decks_bot: SlackBot) -> None:
    bot = real_decks_bot
    bad = CSV + "A question with no answer,\n,An answer with no question\n"
    answer = await import_file(bot, "team.csv", bad.encode(), "Team ECS")
    shown = text_of(answer)
    assert "Nothing was imported: 2 problems in 'Team ECS'" in shown
    assert "team.csv:6: answer: is missing" in shown and "team.csv:7: prompt: is empty" in shown
    [reply] = await bot.responses(await bot.slash("team-ecs", ADMIN))
    assert "No topic 'team-ecs'" in text_of(reply)
