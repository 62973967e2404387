"""slack_sdk's Web API client decides whether to write a debug line for every request and answer
by `logger.level <= DEBUG`, not by the level in effect. Its logger is left at NOTSET (0), so every
call formats the request's whole body (every block of a message) and the answer for a line that
no handler takes: about a third of the cost of a post. Setting that logger's own level to the one
in effect when the adapter starts keeps debug lines when debugging and skips them otherwise."""

from __future__ import annotations

import logging

WEB_API_LOGGER = "slack_sdk.web.async_base_client"


def skip_unwanted_debug_lines() -> None:
    logger = logging.getLogger(WEB_API_LOGGER)
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
