"""Private practice and reviews on Slack: ephemeral messages whose buttons work, and nothing of
them in the channel (checked on what the stand-in Slack API received)."""

from __future__ import annotations

from datetime import date, timedelta

from slack_harness import SlackBot, button_for, buttons, text_of

CHANNEL_WRITES = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def channel_writes(bot: SlackBot) -> list[str]:
    return [call.method for call in bot.api.calls if call.method in CHANNEL_WRITES]


async def test_private_practice_and_reviews_never_reach_the_channel(slack_bot: SlackBot) -> None:
    asked = await slack_bot.slash("ecs private")
    [private] = await slack_bot.responses(asked)
    assert private["response_type"] == "ephemeral"
    assert "Private practice" in text_of(private)
    assert 'What does the "ECS" in Amazon ECS stand for?' in text_of(private)
    right = button_for(private, "Elastic Container Service")

    clicked = await slack_bot.click_with(
        slack_bot.click_payload(right["action_id"], right["value"], "eph", ephemeral=True)
    )
    [verdict] = await slack_bot.responses(clicked)
    assert verdict["response_type"] == "ephemeral"
    assert "Correct!" in text_of(verdict)

    reviewed = await slack_bot.slash("review")
    [review] = await slack_bot.responses(reviewed)
    assert review["response_type"] == "ephemeral"
    assert "Review" in text_of(review)

    # A channel question afterwards: its count update is the only channel write, so none of
    # the private answer's would have come before it.
    public = await slack_bot.slash("ecs")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    choice = buttons(posted.body)[2]
    await slack_bot.click(choice["action_id"], choice["value"], "1700000000.000001")
    await slack_bot.api.wait_ok("chat.update")
    assert public.status == 200
    assert channel_writes(slack_bot) == ["chat.postMessage", "chat.update"]

    board = await slack_bot.slash("leaderboard")
    [shown] = await slack_bot.responses(board)
    assert "No answers yet" not in text_of(shown)  # the channel answer counts, the private one adds nothing


async def test_stats_show_readiness_and_the_exam_plan(slack_bot: SlackBot) -> None:
    # The bot runs on the system clock here: a date 40 days on is in the future in every zone.
    dated = await slack_bot.slash(f"exam-date {date.today() + timedelta(days=40)}")
    [reply] = await slack_bot.responses(dated)
    assert "Exam date set." in text_of(reply)
    stats = await slack_bot.slash("stats")
    [shown] = await slack_bot.responses(stats)
    assert "Readiness *0%*" in text_of(shown)
    assert "Study next:" in text_of(shown)
    assert "days* left" in text_of(shown)
