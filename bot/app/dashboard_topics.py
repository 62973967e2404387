"""Dashboard pages about the material: accuracy by topic and by exam domain (a heatmap per team
and per person) and the hardest questions with how often each wrong choice was picked."""

from __future__ import annotations

from bot.app.dashboard_model import Cell, Chart, Panel, Reads, Table, Viewer, cells, share
from bot.app.dashboard_pages import PEOPLE_SHOWN
from bot.app.dashboard_ports import DashboardReader, PersonRow, QuestionRow, TopicCell
from bot.app.dashboard_tally import ALL_RIGHT, DOMAIN_PREFIX
from bot.app.library import Library
from bot.bank import QuestionBank
from bot.exam_guide import domain_title

HARDEST_SHOWN = 15
HARDEST_MIN_ANSWERS = 3
LETTERS = "ABCDEFGHIJ"


def _heat_rows(names: dict[int, str], cells_of: list[TopicCell], topics: list[str]) -> list[tuple[Cell, ...]]:
    grid = {(cell.owner_id, cell.topic): cell for cell in cells_of}
    rows = []
    for owner, name in names.items():
        row = [Cell(name)]
        for topic in topics:
            cell = grid.get((owner, topic))
            row.append(share(cell.correct, cell.answers) if cell else Cell("–"))
        rows.append(tuple(row))
    return rows


class Topics:
    slug, title = "topics", "Topics"

    def __init__(self, reads: Reads, library: Library) -> None:
        self.reads = reads
        self.library = library

    @staticmethod
    def _name(bank: QuestionBank, topic_id: str) -> str:
        if topic_id.startswith(DOMAIN_PREFIX):
            return domain_title(int(topic_id.removeprefix(DOMAIN_PREFIX)))
        return bank.topic(topic_id).name

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace = viewer.workspace.id
        person = viewer.person

        def read(
            reader: DashboardReader,
        ) -> tuple[list[TopicCell], dict[int, str], list[TopicCell], list[PersonRow], list[TopicCell]]:
            teams = reader.teams(workspace)
            if not viewer.admin:
                mine = person.team_id if person else None
                teams = {i: n for i, n in teams.items() if i == mine}
            if viewer.admin:
                people = reader.people(workspace, None, 0, PEOPLE_SHOWN)[1]
            else:
                people = reader.people(workspace, [person.id], 0, 1)[1] if person else []
            return (
                reader.topics(workspace, "w", [0]),
                teams,
                reader.topics(workspace, "t", list(teams)),
                people,
                reader.topics(workspace, "u", [p.id for p in people]),
            )

        overall, teams, team_cells, people, people_cells = await self.reads(read)
        bank = await self.library.bank_of_id(workspace)
        panels: list[Panel] = []
        for label, is_domain in (("topic", False), ("exam domain", True)):

            def kept(found: list[TopicCell], is_domain: bool = is_domain) -> list[TopicCell]:
                return [cell for cell in found if cell.topic.startswith(DOMAIN_PREFIX) == is_domain]

            panels += self._panels(
                bank, label, viewer, kept(overall), teams, kept(team_cells), people, kept(people_cells)
            )
        return panels

    def _panels(
        self,
        bank: QuestionBank,
        label: str,
        viewer: Viewer,
        overall: list[TopicCell],
        teams: dict[int, str],
        team_cells: list[TopicCell],
        people: list[PersonRow],
        people_cells: list[TopicCell],
    ) -> list[Panel]:
        """The workspace's share right by `label` (topic or exam domain), then the teams' and
        the people's heatmaps over the same columns. Domains show once answers have any."""
        if not overall and label != "topic":
            return []
        overall.sort(key=lambda cell: cell.correct / cell.answers if cell.answers else 0.0)
        topics = [cell.topic for cell in overall]
        names = [self._name(bank, topic) for topic in topics]
        panels = [
            Panel(
                f"Share right by {label} (whole workspace)",
                Table(
                    (label.capitalize(), "Answers", "Right"),
                    [
                        cells(n, c.answers, share(c.correct, c.answers))
                        for n, c in zip(names, overall, strict=True)
                    ],
                ),
                Chart("hbar", names, {"Right": [100 * c.correct / c.answers for c in overall]}, percent=True),
            )
        ]
        if teams:
            panels.append(
                Panel(
                    f"Teams by {label}",
                    Table(("Team", *names), _heat_rows(teams, team_cells, topics), heatmap=True),
                )
            )
        if people:
            title = f"People by {label}" if viewer.admin else f"You by {label}"
            note = f"The first {PEOPLE_SHOWN} by name; the CSV download has everyone." if viewer.admin else ""
            panels.append(
                Panel(
                    title,
                    Table(
                        ("Person", *names),
                        _heat_rows({p.id: p.name for p in people}, people_cells, topics),
                        heatmap=True,
                    ),
                    note=note,
                )
            )
        return panels


class HardestQuestions:
    slug, title = "questions", "Hardest questions"

    def __init__(self, reads: Reads, library: Library) -> None:
        self.reads = reads
        self.library = library

    @staticmethod
    def _picks(bank: QuestionBank, row: QuestionRow) -> str:
        question = bank.question(row.question_id)
        if question is None or not question.choices:
            return "–"
        wrong = [
            f"{LETTERS[i]} {question.choices[i]}: {count} ({round(100 * count / row.answers)}%)"
            for i, count in sorted(row.picks.items(), key=lambda item: -item[1])
            if 0 <= i < len(question.choices) and question.choices[i] not in question.answers
        ]
        return "; ".join(wrong) or "–"

    @staticmethod
    def _hardest(bank: QuestionBank, picks: dict[str, dict[int, int]]) -> list[QuestionRow]:
        """The questions answered often enough, lowest share right first: a question's answers
        are its picks (a multiple-response answer picks as many choices as it has right ones),
        its right answers the picks of its right choice (multiple response: its ALL_RIGHT row)."""
        rows = []
        for question_id, by_choice in picks.items():
            question = bank.question(question_id)
            if question is None or not question.choices or not question.answers:
                continue
            answers = sum(count for i, count in by_choice.items() if i >= 0) // len(question.answers)
            if answers < HARDEST_MIN_ANSWERS:
                continue
            right = (
                by_choice.get(ALL_RIGHT, 0)
                if len(question.answers) > 1
                else by_choice.get(question.choices.index(question.answers[0]), 0)
            )
            rows.append(QuestionRow(question_id, answers, right, by_choice))
        rows.sort(key=lambda row: (row.correct / row.answers, -row.answers, row.question_id))
        return rows[:HARDEST_SHOWN]

    @staticmethod
    def _prompt(bank: QuestionBank, question_id: str) -> str:
        question = bank.question(question_id)
        return question.prompt if question else question_id

    async def build(self, viewer: Viewer) -> list[Panel]:
        workspace = viewer.workspace.id
        picks = await self.reads(lambda reader: reader.choice_picks(workspace))
        bank = await self.library.bank_of_id(workspace)
        rows = self._hardest(bank, picks)
        table = Table(
            ("Question", "Answers", "Right", "Wrong choices picked"),
            [
                cells(
                    self._prompt(bank, r.question_id),
                    r.answers,
                    share(r.correct, r.answers),
                    self._picks(bank, r),
                )
                for r in rows
            ],
        )
        chart = Chart(
            "hbar",
            [r.question_id for r in rows],
            {"Right": [100 * r.correct / r.answers for r in rows]},
            percent=True,
        )
        note = f"Questions answered at least {HARDEST_MIN_ANSWERS} times, lowest share right first."
        return [Panel("Hardest questions", table, chart if rows else None, note)]
