"""Prometheus metrics, served on /metrics by `studybot serve`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "studybot_requests_total",
    "Commands and button clicks handled, by platform, kind (command/action/event) and outcome.",
    ["platform", "kind", "outcome"],
)
ANSWERS = Counter("studybot_answers_recorded_total", "First answers recorded, by mode.", ["mode"])
DAILY_POSTS = Counter(
    "studybot_daily_posts_total",
    "Questions of the day, by outcome (posted, failed, skipped...).",
    ["outcome"],
)
SCHEDULER_CHECKS = Counter(
    "studybot_scheduler_checks_total", "Leadership checks made (every STUDYBOT_SCHEDULER_CHECK_SECONDS)."
)
SCHEDULER_LEADER = Gauge(
    "studybot_scheduler_leader", "1 while this process runs the daily scheduler of a platform.", ["platform"]
)
HTTP_LATENCY = Histogram(
    "studybot_http_request_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
REJECTED = Counter(
    "studybot_http_rejected_total",
    "Requests turned away before any work: bad signature or timestamp, malformed body, too slow.",
    ["status"],
)
CONNECTIONS_CLOSED = Counter(
    "studybot_http_connections_closed_total",
    "Connections the server closed to stay under its cap, by reason (evicted idle, refused).",
    ["reason"],
)
QUEUED_WORK = Gauge(
    "studybot_queued_work", "Acknowledged requests waiting for a work slot, by platform.", ["platform"]
)
BUSY_REFUSALS = Counter(
    "studybot_busy_refusals_total",
    "Requests answered 'busy' or 'restarting' instead of being queued, by platform and reason.",
    ["platform", "reason"],
)
DELIVERY_UNRECORDED = Histogram(
    "studybot_delivery_unrecorded_seconds",
    "From the platform accepting a scheduled send to the commit that records it, by kind: a crash "
    "in between repeats that send.",
    ["kind"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
ACKED_BEFORE_RECORDED = Counter(
    "studybot_acked_before_recorded_total",
    "Answer clicks acknowledged before their answer was recorded (the database took longer than "
    "STUDYBOT_ACK_BUDGET_SECONDS), by platform; their people are told the outcome after.",
    ["platform"],
)
