"""The weekly digest on Slack: its chart goes up through the external-upload flow
(files.getUploadURLExternal, the upload, files.completeUploadExternal) and is shared in the
channel with the summary (issue 19, points 3 and 4)."""

from __future__ import annotations

from datetime import date

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.serve import draw_png
from adapters.slack.daily_poster import SlackDailyPoster
from adapters.slack.pacing import ChannelPacer
from bot.app.dashboard_model import Chart
from bot.app.digest import AdminLink
from bot.app.digest_report import Digest
from bot.daily.models import PermanentDeliveryError
from bot.models import Place
from tests.slack.slack_stand_in import StandInSlack

DIGEST = Digest(
    workspace="Team <T1>",
    week_start=date(2026, 11, 16),
    active=(3, 2),
    answers=(7, 4),
    improved_people=[],
    improved_teams=[],
    weakest=None,
    weakest_name="",
    suggestion="",
    chart=Chart("bar", ["Mon", "Tue"], {"This week": [3.0, 4.0], "The week before": [1.0, 3.0]}),
)


def poster(api: StandInSlack) -> SlackDailyPoster:
    return SlackDailyPoster(AsyncWebClient(token="xoxb-test", base_url=api.api_url), None, ChannelPacer())


async def test_the_chart_is_uploaded_then_shared_with_the_summary(slack_api: StandInSlack) -> None:
    chart = draw_png(DIGEST.chart, 800, 400)
    await poster(slack_api).post_digest(Place("slack", "T1", "C1"), DIGEST, chart)
    sequence = [call.method for call in slack_api.calls]
    assert sequence == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    asked, uploaded, completed = slack_api.calls
    assert int(asked.body["length"]) == len(chart) and asked.body["filename"].endswith(".png")
    assert slack_api.uploads[uploaded.body["file_id"]] == chart
    assert completed.body["channel_id"] == "C1"
    assert completed.body["initial_comment"].startswith(
        "*Weekly digest · Team &lt;T1&gt;*\nWeek of 16 Nov 2026"
    )
    assert (
        "People active: 3 (+50% on the week before); answers: 7 (+75% on the week before)."
        in (completed.body["initial_comment"])
    )


async def test_a_channel_slack_refuses_drops_the_digest(slack_api: StandInSlack) -> None:
    slack_api.reject_next("files.completeUploadExternal", "channel_not_found")
    with pytest.raises(PermanentDeliveryError):
        await poster(slack_api).post_digest(Place("slack", "T1", "C404"), DIGEST, b"\x89PNG")


async def test_the_subscribing_admin_sees_their_dashboard_link_alone(slack_api: StandInSlack) -> None:
    link = AdminLink("https://study.example.com/dashboard?t=signed", 24)
    await poster(slack_api).send_admin_link(Place("slack", "T1", "C1"), "U1", link)
    (call,) = slack_api.calls
    assert call.method == "chat.postEphemeral"
    assert (call.body["channel"], call.body["user"]) == ("C1", "U1")
    assert "<https://study.example.com/dashboard?t=signed|Open your team dashboard>" in str(
        call.body["blocks"]
    )
    assert "every person (you are an admin)" in str(call.body["blocks"])


async def test_an_admin_link_slack_refuses_is_a_delivery_error(slack_api: StandInSlack) -> None:
    slack_api.reject_next("chat.postEphemeral", "channel_not_found")
    with pytest.raises(PermanentDeliveryError):
        await poster(slack_api).send_admin_link(
            Place("slack", "T1", "C1"), "U1", AdminLink("https://x/d", 24)
        )
