"""People by their Slack display name (users.info), cached for the life of the process."""

from __future__ import annotations

import logging
import re
import threading

from slack_sdk import WebClient

log = logging.getLogger(__name__)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


class DisplayNames:
    """``names(user_id)`` → the name Slack shows for that person; anything not a user id unchanged.

    A lookup that fails (no users:read scope, Slack down) falls back to the id and is tried again
    next time; a name found is kept until the process ends.
    """

    def __init__(self, client: WebClient) -> None:
        self.client = client
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
