"""Block Kit for reporting a question: the button under every answer's feedback, the modal it
opens, and `/quiz reports` for admins. A report's text is the reporter's own: it is shown as
plain text, never parsed, so it cannot ping anyone or change the message's markup."""

from __future__ import annotations

import json

from adapters.slack.kit import Block, Message, button, context, message, plain, section
from adapters.slack.mrkdwn import escape
from bot.reports import REPORT_TEXT_MAX, QuestionReport, Reason, ReportList

REPORT_VIEW = "quiz-report"
REASON_BLOCK, DETAILS_BLOCK = "reason", "details"
REPORT_BUTTON = "Report a problem"


def report_action(instance_id: int) -> str:
    return f"report:{instance_id}"


def report_button(instance_id: int) -> Block:
    """The actions block under an answer's feedback."""
    element = button(REPORT_BUTTON, report_action(instance_id), str(instance_id))
    return {"type": "actions", "block_id": f"report:{instance_id}", "elements": [element]}


def report_modal(instance_id: int, response_url: str) -> dict[str, object]:
    """The modal: a reason (required) and a few words (optional). The posted question and where
    to acknowledge the report ride in `private_metadata`."""
    options = [{"text": plain(reason.label), "value": reason.value} for reason in Reason]
    return {
        "type": "modal",
        "callback_id": REPORT_VIEW,
        "title": plain("Report a problem"),
        "submit": plain("Send report"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"instance": instance_id, "response_url": response_url}),
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": plain("What is wrong with this question?"),
                "element": {
                    "type": "static_select",
                    "action_id": REASON_BLOCK,
                    "placeholder": plain("Pick a reason"),
                    "options": options,
                },
            },
            {
                "type": "input",
                "block_id": DETAILS_BLOCK,
                "optional": True,
                "label": plain("Details (optional)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": DETAILS_BLOCK,
                    "multiline": True,
                    "max_length": REPORT_TEXT_MAX,
                    "placeholder": plain("What should it say? A link to the documentation helps."),
                },
            },
        ],
    }


def _report(report: QuestionReport) -> list[Block]:
    head = (
        f"*{escape(report.question_id)}* · {escape(report.reason.label)} · "
        f"{escape(report.reporter_name or report.reporter)} · {report.reported_at:%Y-%m-%d %H:%M} UTC"
    )
    blocks = [section(head)]
    if report.text:
        said = {"type": "plain_text", "text": report.text, "emoji": False}
        blocks.append({"type": "context", "elements": [said]})
    return blocks


def reports(result: ReportList) -> Message:
    if not result.reports:
        return message("No reports", [section("No reports of bad questions in this workspace.")])
    blocks = [section(f"*Reports of bad questions* · the latest {len(result.reports)}")]
    for report in result.reports:
        blocks += _report(report)
    blocks.append(context("All reports, of every workspace: `studybot content reports`."))
    return message("Reports of bad questions", blocks)
