"""A burst of new connections waits in the kernel's accept queue, as many as `studybot serve`
admits at once, instead of being dropped past the loop's default 100 (a dropped connection's
client tries again only after a second, then three: another workspace's click held up behind a
flood). Shown on a real serve paused with SIGSTOP, so that nothing is accepted meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import aiohttp

from tests.served import served
from tests.slack.slack_stand_in import StandInSlack

DEADLINE = 60.0
BURST = 300
# A connection the accept queue has room for is made at once; one past a full queue waits for
# the client's first SYN retransmission, a second later.
AT_ONCE = 0.8


async def connected(port: int) -> asyncio.StreamWriter | None:
    with contextlib.suppress(TimeoutError, OSError):
        async with asyncio.timeout(AT_ONCE):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            return writer
    return None


async def test_a_burst_of_connections_waits_in_the_accept_queue_while_the_process_is_busy(
    tmp_path: Path, slack_api: StandInSlack
) -> None:
    async with asyncio.timeout(DEADLINE), served(tmp_path, slack_api.api_url) as bot:
        bot.process.send_signal(signal.SIGSTOP)
        try:
            writers = await asyncio.gather(*(connected(bot.port) for _ in range(BURST)))
        finally:
            bot.process.send_signal(signal.SIGCONT)
        made = [writer for writer in writers if writer is not None]
        for writer in made:
            writer.close()
        assert len(made) == BURST
        async with aiohttp.ClientSession() as http:
            assert (await bot.get(http, "/healthz"))[0] == 200
