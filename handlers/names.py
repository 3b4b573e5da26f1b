"""People by their Slack display name (users.info), cached for the life of the process."""

from __future__ import annotations

import logging
import re
import threading

from slack_sdk import WebClient

log = logging.getLogger(__name__)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
LOOKUP_TIMEOUT = 2  # seconds


class DisplayNames:
    """``names(user_id)`` → the name Slack shows for that person; anything not a user id unchanged.

    A lookup that fails (no users:read scope, Slack slow or down) falls back to the id and is tried
    again next time; a name found is kept until the process ends. Lookups may run before a form is
    acknowledged (the stale-save notice), so they get their own client: a short timeout, no waiting
    out a 429.
    """

    def __init__(self, client: WebClient, timeout: int = LOOKUP_TIMEOUT) -> None:
        self.client = WebClient(token=client.token, base_url=client.base_url, timeout=timeout)
        self.client.retry_handlers = []
        self._known: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> str:
        if not _SLACK_USER.match(user_id or ""):
            return user_id
        with self._lock:
            known = self._known.get(user_id)
        if known is not None:
            return known
        try:
            user = self.client.users_info(user=user_id)["user"]
        except Exception as err:
            log.info("no display name for %s: %s", user_id, err)
            return user_id
        profile = user.get("profile") or {}
        name = str(
            profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name") or ""
        ).strip()
        name = name or user_id
        with self._lock:
            self._known[user_id] = name
        return name
