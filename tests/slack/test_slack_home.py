"""The App Home tab: the user's stats by topic, their team, and the workspace leaderboard."""

from __future__ import annotations

from typing import Any

from slack_harness import SlackBot, button_for, event_callback, text_of


def home_opened(event_id: str, user: str = "U1", tab: str = "home") -> str:
    return event_callback(
        event_id, {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab, "event_ts": "1.2"}
    )


def view_text(view: dict[str, Any]) -> str:
    return text_of({"blocks": view["blocks"]})


async def test_app_home_shows_stats_by_topic_team_and_leaderboard(slack_bot: SlackBot) -> None:
    await slack_bot.responses(await slack_bot.slash("team join Night <Owls>"))
    await slack_bot.slash("ecs")
    [posted] = await slack_bot.api.wait_ok("chat.postMessage")
    right = button_for(posted.body, "Elastic Container Service")
    await slack_bot.responses(await slack_bot.click(right["action_id"], right["value"], "1700000000.000001"))

    status, _ = await slack_bot.send_raw(home_opened("Ev1"), "application/json")

    assert status == 200
    [published] = await slack_bot.api.wait_ok("views.publish")
    assert published.body["user_id"] == "U1"
    assert published.body["view"]["type"] == "home"
    text = view_text(published.body["view"])
    assert "team *Night &lt;Owls&gt;*" in text
    assert "Points: 10 this week" in text
    assert "Amazon ECS" in text and "100%" in text
    assert "*Leaderboard · people · this week*" in text
    assert "Readiness *" in text and "seen 1 of" in text and "Study next:" in text  # issue 17
    assert any(line.split()[:3] == ["1", "ann", "10"] for line in text.splitlines())


async def test_app_home_retries_and_the_messages_tab_publish_nothing_more(slack_bot: SlackBot) -> None:
    first = await slack_bot.send_raw(home_opened("Ev2"), "application/json")
    retried = await slack_bot.send_raw(
        home_opened("Ev2"), "application/json", headers={"X-Slack-Retry-Num": "1"}
    )
    messages_tab = await slack_bot.send_raw(home_opened("Ev3", tab="messages"), "application/json")
    other_user = await slack_bot.send_raw(home_opened("Ev4", user="U2"), "application/json")

    assert [first[0], retried[0], messages_tab[0], other_user[0]] == [200, 200, 200, 200]
    published = await slack_bot.api.wait_ok("views.publish", 2)
    assert sorted(call.body["user_id"] for call in published) == ["U1", "U2"]
    assert all("no team" in view_text(call.body["view"]) for call in published)
