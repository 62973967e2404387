"""Signed, expiring dashboard links bound to a workspace and a person (itsdangerous).

The token carries the workspace key, the user's platform id, whether they are an admin and when
it was minted (from the injected clock, so tests can expire it); its signature (HMAC with
STUDYBOT_SECRET_KEY) covers all four and is checked on every request, so a forged, altered or
expired link opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from bot.settings import Settings

SALT = "studybot-dashboard-link"
DEFAULT_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class LinkGrant:
    workspace_key: str
    user: str
    admin: bool


class DashboardLinks:
    def __init__(self, secret: str, public_url: str, lifetime: timedelta = DEFAULT_LIFETIME) -> None:
        self._serializer = URLSafeSerializer(secret, salt=SALT)
        self.public_url = public_url.rstrip("/")
        self.lifetime = lifetime

    def token(self, grant: LinkGrant, now: datetime) -> str:
        return str(
            self._serializer.dumps([grant.workspace_key, grant.user, grant.admin, int(now.timestamp())])
        )

    def url(self, grant: LinkGrant, now: datetime) -> str:
        return f"{self.public_url}/dashboard?{urlencode({'t': self.token(grant, now)})}"

    def url_for(self, workspace_key: str, user: str, admin: bool, now: datetime) -> tuple[str, int]:
        """The link's address and its lifetime in hours (for `/quiz dashboard`)."""
        return self.url(LinkGrant(workspace_key, user, admin), now), int(
            self.lifetime.total_seconds() // 3600
        )

    def grant(self, token: str, now: datetime) -> LinkGrant | None:
        """What the token grants, or None when it is forged, altered or older than the lifetime."""
        try:
            value = self._serializer.loads(token)
        except BadSignature:
            return None
        if not (isinstance(value, list) and len(value) == 4):
            return None
        key, user, admin, minted = value
        if not (
            isinstance(key, str)
            and isinstance(user, str)
            and isinstance(admin, bool)
            and isinstance(minted, int)
        ):
            return None
        age = now - datetime.fromtimestamp(minted, UTC)
        if age > self.lifetime or age < -timedelta(minutes=5):
            return None
        return LinkGrant(key, user, admin)

    def minted_at(self, token: str) -> datetime | None:
        """When a valid token was minted (for the page's "valid until")."""
        try:
            value = self._serializer.loads(token)
        except BadSignature:
            return None
        return datetime.fromtimestamp(value[3], UTC) if isinstance(value, list) and len(value) == 4 else None


def links_from(settings: Settings) -> DashboardLinks:
    """The links of these settings (raising SettingsError without a secret key)."""
    lifetime = timedelta(hours=settings.studybot_dashboard_link_hours)
    return DashboardLinks(settings.dashboard_secret(), settings.studybot_public_url, lifetime)
