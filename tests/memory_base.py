"""What the in-memory repositories split by repository (`tests/memory_*.py`) share: the unit of
work's state (the transaction's copy) and its id counter."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.memory import _State


class OnState:
    """A repository over the in-memory state."""

    def __init__(self, state: _State) -> None:
        self.s = state

    def _id(self) -> int:
        return int(next(self.s.ids))
