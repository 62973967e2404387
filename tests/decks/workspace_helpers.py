"""Small decks the workspace tests import, and what they ask of a workspace."""

from __future__ import annotations

from bot.app.deck_ports import ImportReport
from bot.app.decks import DeckService

TEAM_CSV = (
    "question,answer,tags\n"
    "What runs containers without managing servers?,Fargate,serverless\n"
    "Which registry stores our images?,ECR,\n"
    "Which service runs our Kubernetes clusters?,EKS,\n"
    "What schedules our ECS tasks?,The ECS scheduler,\n"
)


def team_csv(*rows: str) -> bytes:
    """TEAM_CSV, or a file of these rows under the same header."""
    if not rows:
        return TEAM_CSV.encode()
    return ("question,answer,tags\n" + "".join(f"{row}\n" for row in rows)).encode()


async def imported(
    decks: DeckService, workspace: str, name: str = "Team Terms", data: bytes | None = None, **options: object
) -> ImportReport:
    report = await decks.import_deck(workspace, name, "team.csv", data or team_csv(), **options)  # type: ignore[arg-type]
    assert not report.problems, report.problems
    return report
