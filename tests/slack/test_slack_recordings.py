"""The bound on answers being recorded at once: one workspace holds at most three quarters of
it, the rest stays free for the others; a recording that ends gives its place back."""

from __future__ import annotations

import asyncio

from adapters.slack.recordings import Recordings


class Going:
    """Recordings that go on until `end` is awaited."""

    def __init__(self, recordings: Recordings) -> None:
        self.recordings = recordings
        self.gate = asyncio.Event()
        self.tasks: list[asyncio.Task[bool]] = []

    def start(self, workspace: str) -> None:
        task = asyncio.create_task(self.gate.wait())
        self.tasks.append(task)
        self.recordings.started(task, workspace)

    async def end(self) -> None:
        self.gate.set()
        await asyncio.gather(*self.tasks)


async def test_one_workspace_holds_at_most_three_quarters_of_the_bound() -> None:
    recordings = Recordings(8)
    going = Going(recordings)

    while not recordings.full("T1"):
        going.start("T1")

    assert recordings.by_workspace["T1"] == 6
    assert not recordings.full("T2")
    await going.end()


async def test_the_whole_bound_taken_by_several_workspaces_refuses_every_workspace() -> None:
    recordings = Recordings(8)
    going = Going(recordings)
    for workspace in ["T1"] * 6 + ["T2"] * 2:
        going.start(workspace)

    assert [recordings.full(workspace) for workspace in ("T1", "T2", "T3")] == [True, True, True]
    await going.end()


async def test_recordings_that_end_give_their_workspace_s_places_back() -> None:
    recordings = Recordings(4)
    going, last = Going(recordings), Going(recordings)
    going.start("T1")
    going.start("T1")
    last.start("T1")
    assert recordings.full("T1")

    await last.end()

    assert not recordings.full("T1")
    assert (recordings.count, recordings.by_workspace["T1"]) == (2, 2)
    await going.end()
    assert (recordings.count, dict(recordings.by_workspace)) == (0, {})


async def test_a_bound_of_one_still_lets_one_workspace_record() -> None:
    recordings = Recordings(1)

    assert (recordings.workspace_limit, recordings.full("T1")) == (1, False)


def test_the_bound_built_for_a_workspace_s_share_gives_that_workspace_exactly_its_share() -> None:
    for share in range(1, 2_000):
        recordings = Recordings.with_share(share)
        assert recordings.workspace_limit == share, recordings.limit
        assert recordings.limit - share == share // 3
