import pytest

from bot.grammar import (
    Ask,
    DailyOn,
    Invalid,
    JoinTeam,
    LeaveTeam,
    ListTeams,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    ShowTopics,
    daily_on,
    parse,
)
from bot.models import Period, Scope


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Ask(None)),
        ("/quiz", Ask(None)),
        ("/quiz ecs", Ask("ecs")),
        ("  ECS  ", Ask("ECS")),
        ("step functions", Ask("step functions")),
        ("topics", ShowTopics()),
        ("help", ShowHelp()),
        ("stats", ShowStats()),
        ("leaderboard", ShowLeaderboard(Period.WEEK, Scope.PEOPLE)),
        ("leaderboard month", ShowLeaderboard(Period.MONTH, Scope.PEOPLE)),
        ("/quiz leaderboard week teams", ShowLeaderboard(Period.WEEK, Scope.TEAMS)),
        ("leaderboard teams all", ShowLeaderboard(Period.ALL, Scope.TEAMS)),
        ("team join Cloud Nerds", JoinTeam("Cloud Nerds")),
        ("team join   <!channel>   &  <@U1>", JoinTeam("<!channel> & <@U1>")),
        ("team leave", LeaveTeam()),
        ("team list", ListTeams()),
        ("teams", ListTeams()),
    ],
)
def test_commands_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("leaderboard yesterday", "'yesterday' is not a leaderboard option"),
        ("team dance", "'dance' is not a team command"),
        ("team join", "Give the team a name"),
        ("team join " + "x" * 41, "at most 40 characters"),
        ("team join !!!", "at least one letter or digit"),
        ("leaderbord", "Did you mean 'leaderboard'?"),
        ("x" * 201, "too long"),
    ],
)
def test_bad_commands_get_one_clear_line(text: str, fragment: str) -> None:
    result = parse(text)
    assert isinstance(result, Invalid)
    assert fragment in result.message
    assert "\n" not in result.message


def test_team_names_lose_control_and_invisible_characters() -> None:
    assert parse("team join A\u200bB\u202e\x07 C") == JoinTeam("AB C")


def test_daily_options_in_any_case_and_messages_quote_what_was_typed() -> None:
    command = parse("daily ON ECS at 09:00 US/Eastern Mon-Fri REVEAL 17:00")
    assert command == DailyOn("ECS", 9, 0, "US/Eastern", "mon-fri", (17, 0))
    assert parse("daily on at 09:00 europe/berlin") == DailyOn(None, 9, 0, "Europe/Berlin", "mon-sun", None)
    unknown = parse("daily on at 09:00 Mars/Olympus")
    assert isinstance(unknown, Invalid) and unknown.message.startswith("'Mars/Olympus' is not a time zone")
    assert isinstance(late := parse("daily on at 9am"), Invalid) and late.message.startswith(
        "'9am' is not a time"
    )


def test_daily_on_from_typed_options_checks_each_as_the_text_grammar_does() -> None:
    assert daily_on("k8s", "17:30", "america/new york", "Mon-Fri", "18:00") == DailyOn(
        "k8s", 17, 30, "America/New_York", "mon-fri", (18, 0)
    )
    assert daily_on("all", " 09:00 ", None, None, None) == parse("daily on all at 09:00")
    assert daily_on("ecs at 10:00", "09:00").topic == "ecs at 10:00"  # an option is one value, never more
    for options, message in [
        (("ecs", "25:00"), "'25:00' is not a time"),
        (("ecs", "09:00", "Mars/Base"), "'Mars/Base' is not a time zone I know"),
        (("ecs", "09:00", None, "someday"), "'someday' is not a set of weekdays"),
        (("ecs", "09:00", None, None, "noon"), "Give the reveal time as HH:MM"),
    ]:
        invalid = daily_on(*options)
        assert isinstance(invalid, Invalid) and invalid.message.startswith(message), invalid


def test_daily_on_weekdays_as_several_words_add_up() -> None:
    weekend = DailyOn(None, 9, 0, "Europe/Berlin", "sat,sun", None)
    assert parse("daily on at 09:00 Europe/Berlin sat sun") == weekend
    assert parse("daily on at 09:00") == DailyOn(None, 9, 0, None, "mon-sun", None)
