"""What `/quiz help` lists: each command as typed, and what it does (`bot/grammar.py` parses them)."""

from __future__ import annotations

HELP_LINES = (
    ("/quiz", "a question from any topic"),
    ("/quiz TOPIC", "a question on a topic, e.g. /quiz ecs"),
    ("/quiz topics", "the topics and their short names"),
    ("/quiz leaderboard [week|month|all] [teams]", "who leads (this week by default)"),
    ("/quiz team join NAME", "join a team, creating it if needed"),
    ("/quiz team leave", "leave your team"),
    ("/quiz team list", "the teams of this workspace"),
    ("/quiz team create NAME", "start a new team even if one has a similar name"),
    ("/quiz team rename OLD to NEW", "admins: rename a team"),
    ("/quiz team delete NAME", "admins: delete a team"),
    ("/quiz stats", "your points, accuracy by topic, streaks and readiness"),
    ("/quiz TOPIC private", "a question only you see (no points: practice for yourself)"),
    ("/quiz review [TOPIC]", "your cards due for review, then new ones, privately"),
    ("/quiz exam-date YYYY-MM-DD|off", "your exam date: days left and a plan per day"),
    ("/quiz remind at HH:MM [TIMEZONE] [WEEKDAYS]", "a direct message when you have cards due"),
    ("/quiz remind off | remind status", "stop reminders, or see them"),
    ("/quiz pause N days", "hold reminders for a vacation"),
    (
        "/quiz daily on [TOPIC|all] at HH:MM [TIMEZONE] [WEEKDAYS] [reveal HH:MM]",
        "admins: post a question of the day here",
    ),
    ("/quiz daily off", "admins: stop the question of the day here"),
    ("/quiz daily status", "the question of the day in this channel"),
    ("/quiz dashboard", "a private link to the team dashboard"),
    ("/quiz digest on [WEEKDAY] [HH:MM] [TIMEZONE]", "admins: post the weekly digest here"),
    ("/quiz digest off | status", "admins: stop or show the weekly digest here"),
    ("/quiz exam [TOPIC|all] [QUESTIONS] [MINUTES]", "a private timed mock exam (65 in 90 minutes)"),
    ("/quiz exam review | submit | stop", "your exam's flagged questions, submit it, or abandon it"),
    ("/quiz exam history", "your past exam scores and trend"),
    (
        "/quiz report REASON [TEXT]",
        "terminal: report the last question (wrong, unclear, outdated, typo, other); "
        "elsewhere: Report a problem under an answer",
    ),
    ("/quiz reports", "admins: the latest reports of bad questions"),
    ("/quiz deck import", "admins: import your own questions (Anki, CSV, notes, ...) as a deck"),
    ("/quiz deck list | remove NAME", "admins: this workspace's decks, or remove one"),
    ("/quiz deck export NAME [apkg|csv|yaml]", "admins: a deck as a file, sent to you alone"),
    ("/quiz deck builtin on|off", "admins: ask the built-in questions here, or only your decks"),
    ("/quiz help", "this help"),
)
