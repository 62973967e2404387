"""`/quiz` in a channel, clicks on the buttons, and the leaderboard, through the real Bolt app."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_harness import ACK_SECONDS, BANK, SlackBot, SlackUser, button_for, buttons, text_of

from bot.bank import load_bank
from bot.choices import shown_choices

RIGHT, WRONG = "Elastic Container Service", "Elastic Compute Service"


async def ask_ecs(bot: SlackBot) -> tuple[dict[str, Any], str]:
    sent = await bot.slash("ecs")
    assert sent.status == 200
    [posted] = await bot.api.wait_ok("chat.postMessage")
    return posted.body, "1700000000.000001"


async def test_quiz_ecs_posts_the_question_in_the_channel_with_a_button_per_choice(
    slack_bot: SlackBot,
) -> None:
    sent = await slack_bot.slash("ecs")

    assert sent.status == 200
    assert sent.elapsed < ACK_SECONDS
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    assert posted.body["channel"] == "C1"
    assert posted.token == "xoxb-test-token"
    assert 'What does the "ECS" in Amazon ECS stand for?' in text_of(posted.body)
    instance_ids = {b["action_id"].split(":")[1] for b in buttons(posted.body)}
    assert len(instance_ids) == 1
    question = load_bank(BANK).by_id["ecs-stands-for"]
    shown = shown_choices(question, int(instance_ids.pop()))
    assert sorted(shown) == sorted(question.choices)
    labels = [b["text"]["text"] for b in buttons(posted.body)]
    assert labels == [f"{letter}. {choice}" for letter, choice in zip("ABCD", shown, strict=True)]
    assert "Amazon ECS · easy · 0 answers so far" in text_of(posted.body)
    assert slack_bot.api.attempts("respond/cmd-1") == []


async def test_a_click_gets_ephemeral_feedback_updates_the_count_and_scores(slack_bot: SlackBot) -> None:
    question, ts = await ask_ecs(slack_bot)
    right = button_for(question, RIGHT)

    click = await slack_bot.click(right["action_id"], right["value"], ts)

    assert click.status == 200
    [feedback] = await slack_bot.responses(click)
    assert feedback["response_type"] == "ephemeral"
    assert feedback["replace_original"] is False
    assert "Correct!" in text_of(feedback)
    assert "Elastic Container Service, AWS's own container orchestrator" in text_of(feedback)
    assert "streak: 1" in text_of(feedback)
    [update] = await slack_bot.api.wait_ok("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C1", ts)
    assert "1 answer so far" in text_of(update.body)
    assert "Correct" not in text_of(update.body)

    board = await slack_bot.slash("leaderboard")
    [table] = await slack_bot.responses(board)
    rows = [line.split() for line in text_of(table).splitlines() if line.strip().startswith("1 ")]
    assert rows and rows[0][:2] == ["1", "ann"]
    assert rows[0][3:] == ["1", "100%"]


async def test_a_wrong_answer_shows_the_right_one_to_the_clicker_only(slack_bot: SlackBot) -> None:
    question, ts = await ask_ecs(slack_bot)
    wrong = button_for(question, WRONG)

    click = await slack_bot.click(wrong["action_id"], wrong["value"], ts)

    [feedback] = await slack_bot.responses(click)
    assert "Not quite. The answer is: *Elastic Container Service*" in text_of(feedback)
    [update] = await slack_bot.api.wait_ok("chat.update")
    assert "Elastic Container Service*" not in text_of(update.body)


async def test_a_double_click_and_a_retried_delivery_count_once(slack_bot: SlackBot) -> None:
    question, ts = await ask_ecs(slack_bot)
    right = button_for(question, RIGHT)
    first_payload = slack_bot.click_payload(right["action_id"], right["value"], ts)

    first = await slack_bot.click_with(first_payload)
    retried = await slack_bot.click_with(first_payload, headers={"X-Slack-Retry-Num": "1"})
    await slack_bot.responses(first)
    second = await slack_bot.click(right["action_id"], right["value"], ts)

    assert (first.status, retried.status, second.status) == (200, 200, 200)
    [again] = await slack_bot.responses(second)
    assert "You already answered this one: correct." in text_of(again)
    board = await slack_bot.slash("leaderboard")
    [table] = await slack_bot.responses(board)
    assert len(slack_bot.api.ok(f"respond/{first.response_url.rsplit('/', 1)[1]}")) == 1
    assert len(await slack_bot.api.wait_ok("chat.update")) == 1
    row = next(line.split() for line in text_of(table).splitlines() if " ann " in line)
    assert row[3:] == ["1", "100%"]


async def test_a_retried_slash_command_posts_one_question(slack_bot: SlackBot) -> None:
    fields = slack_bot.slash_fields("ecs")

    first = await slack_bot.send(fields)
    retried = await slack_bot.send(
        fields, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    later = await slack_bot.slash("help")

    assert first[0] == retried[0] == 200
    await slack_bot.responses(later)
    await slack_bot.api.wait_ok("chat.postMessage")
    assert len(slack_bot.api.attempts("chat.postMessage")) == 1


async def test_an_unknown_topic_gets_suggestions_ephemerally(slack_bot: SlackBot) -> None:
    near = await slack_bot.slash("ecz")
    far = await slack_bot.slash("quantum")

    [suggestion] = await slack_bot.responses(near)
    [listing] = await slack_bot.responses(far)
    assert suggestion["response_type"] == "ephemeral"
    assert "No topic 'ecz'. Did you mean `ecs`?" in text_of(suggestion)
    assert "Topics: `ecs`, `docker`, `lambda`, `fargate`" in text_of(listing)
    assert slack_bot.api.attempts("chat.postMessage") == []


async def test_flashcards_show_the_answer_then_grade_yourself(slack_bot: SlackBot) -> None:
    await slack_bot.slash("docker")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    [show] = buttons(posted.body)
    assert show["text"]["text"] == "Show answer"

    shown = await slack_bot.click(show["action_id"], show["value"], "1700000000.000001")
    [card] = await slack_bot.responses(shown)
    assert "Answer: *Docker Hub*" in text_of(card)
    again, hard, knew, easy = buttons(card)
    labels = [b["text"]["text"] for b in (again, hard, knew, easy)]
    assert labels == ["Again", "Hard", "Good", "Easy"]

    graded = await slack_bot.click_with(
        slack_bot.click_payload(knew["action_id"], knew["value"], "eph", ephemeral=True)
    )
    [verdict] = await slack_bot.responses(graded)
    assert verdict["replace_original"] is True
    assert "Correct!" in text_of(verdict)
    [update] = await slack_bot.api.wait_ok("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C1", "1700000000.000001")
    assert "1 answer so far" in text_of(update.body)


async def test_other_people_answer_the_same_question(slack_bot: SlackBot) -> None:
    question, ts = await ask_ecs(slack_bot)
    right, wrong = button_for(question, RIGHT), button_for(question, WRONG)

    await slack_bot.responses(await slack_bot.click(right["action_id"], right["value"], ts))
    await slack_bot.responses(
        await slack_bot.click(wrong["action_id"], wrong["value"], ts, SlackUser("U2", "bob"))
    )

    updates = await slack_bot.api.wait_ok("chat.update", 2)
    assert any("2 answers so far" in text_of(u.body) for u in updates)
    board = await slack_bot.slash("leaderboard all")
    [table] = await slack_bot.responses(board)
    names = [line.split()[1] for line in text_of(table).splitlines() if line[:1].isdigit()]
    assert names == ["ann", "bob"]


async def test_two_clicks_at_once_score_once(slack_bot: SlackBot) -> None:
    question, ts = await ask_ecs(slack_bot)
    right = button_for(question, RIGHT)

    clicks = await asyncio.gather(
        *(slack_bot.click(right["action_id"], right["value"], ts) for _ in range(2))
    )

    replies = [text_of(reply) for click in clicks for reply in await slack_bot.responses(click)]
    assert sum("You already answered this one: correct." in reply for reply in replies) == 1
    assert sum("Correct! +10 points." in reply for reply in replies) == 1
    board = await slack_bot.slash("leaderboard")
    [table] = await slack_bot.responses(board)
    row = next(line.split() for line in text_of(table).splitlines() if " ann " in line)
    assert row[2:] == ["10", "1", "100%"]
