"""The low items of issue 13: a self-grade names no message the bot trusts, names never format or
overflow the public reveal, SLACK_ADMIN_USER_IDS is scoped per workspace with OAuth installs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from slack_harness import BOT_TOKEN, SIGNING_SECRET, SlackBot, buttons, running_bot, text_of
from slack_stand_in import StandInSlack

from adapters.slack import daily_blocks
from adapters.slack.config import ListedAdmins, slack_config
from bot import names
from bot.daily.models import Reveal, TeamResult
from bot.settings import SettingsError, load_settings


async def test_a_forged_self_grade_value_updates_only_the_question_s_own_message(slack_bot: SlackBot) -> None:
    await slack_bot.slash("docker")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    [show] = buttons(posted.body)
    [card] = await slack_bot.responses(
        await slack_bot.click(show["action_id"], show["value"], "1700000000.000001")
    )
    _again, _hard, knew, _easy = buttons(card)
    assert "C" not in knew["value"]  # the button names no channel message

    forged = slack_bot.click_payload(knew["action_id"], "C999:1600000000.000009", "eph", ephemeral=True)
    [verdict] = await slack_bot.responses(await slack_bot.click_with(forged))

    assert "Correct!" in text_of(verdict)
    [update] = await slack_bot.api.wait_ok("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C1", "1700000000.000001")
    assert all(call.body.get("channel") != "C999" for call in slack_bot.api.calls)


def a_reveal(first_correct: tuple[str, ...], teams: tuple[TeamResult, ...] = ()) -> Reveal:
    return Reveal(
        instance_id=1,
        daily_date=date(2026, 11, 16),
        prompt="What does ECS stand for?",
        answer="Elastic Container Service",
        explanation="ECS runs containers.",
        source="https://docs.aws.amazon.com/ecs/",
        answered=3,
        correct=3,
        first_correct=first_correct,
        teams=teams,
    )


def test_markdown_in_names_never_formats_the_reveal_and_long_names_are_capped() -> None:
    people = ("*bold* _it_ ~gone~ `code`", "\u202eann\u200b", "z" * 1_000)
    reveal = daily_blocks.reveal(a_reveal(people, (TeamResult("*Ops*" + "q" * 500, 3, 3),)))

    [first] = [b for b in reveal["blocks"] if "First correct" in b.get("text", {}).get("text", "")]
    assert first["text"]["type"] == "plain_text"
    assert first["text"]["text"] == (
        "First correct: *bold* _it_ ~gone~ `code`, ann, " + "z" * (names.SHOWN_MAX - 1) + names.ELLIPSIS
    )
    for block in reveal["blocks"]:
        assert len(block.get("text", {}).get("text", "")) <= 3_000
    assert "q" * 30 not in json.dumps(reveal)


def settings(**values: str) -> dict[str, str]:
    return {"slack_signing_secret": SIGNING_SECRET, **values}


def test_admin_ids_with_oauth_installs_must_name_their_workspace(slack_clean_env: None) -> None:
    oauth = {"slack_client_id": "1.2", "slack_client_secret": "s"}
    with pytest.raises(SettingsError, match="names no workspace; with OAuth installs write T0123ABCD:U7"):
        slack_config(load_settings(**settings(**oauth, slack_admin_user_ids="U7")))

    config = slack_config(load_settings(**settings(**oauth, slack_admin_user_ids="T1:U7, T2:U8")))

    assert config.admins == ListedAdmins(frozenset(), frozenset({("T1", "U7"), ("T2", "U8")}))
    assert config.admins.lists("T1", "U7") and not config.admins.lists("T2", "U7")


def test_a_single_workspace_install_accepts_bare_and_scoped_ids(slack_clean_env: None) -> None:
    config = slack_config(
        load_settings(**settings(slack_bot_token=BOT_TOKEN, slack_admin_user_ids="U7,T1:U8"))
    )

    assert config.admins.lists("T1", "U7") and config.admins.lists("T9", "U7")
    assert config.admins.lists("T1", "U8") and not config.admins.lists("T9", "U8")
    with pytest.raises(SettingsError, match="'t1:U8' is not a Slack user id"):
        slack_config(load_settings(**settings(slack_bot_token=BOT_TOKEN, slack_admin_user_ids="t1:U8")))


async def test_a_member_listed_for_another_workspace_is_asked_about_like_anyone(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> None:
    async with running_bot(slack_api, tmp_path, slack_admin_user_ids="T2:U1") as bot:
        sent = await bot.slash("daily on ecs at 09:00 UTC")
        [reply] = await bot.responses(sent)

    assert "Only workspace admins can change the question of the day." in text_of(reply)
    [asked] = slack_api.attempts("users.info")
    assert asked.body["user"] == "U1"
