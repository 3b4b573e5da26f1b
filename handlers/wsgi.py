"""The WSGI application: GET /healthz, POST /slack/events through Bolt's WSGI adapter.

Requests Slack would never send are refused before Bolt sees them, each with one warning naming
the cause: an undecodable or malformed body is answered 400, a missing, non-numeric or stale
timestamp 401. Bolt checks the signature; its 401 is logged as a warning too, so an administrator
with the wrong signing secret has a clue.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from handlers.middleware import dispatch
from store.db import Database

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SIGNATURE_WINDOW = 300  # seconds: Slack's requests are at most five minutes old
JSON_HEADERS = {"content-type": ["application/json; charset=utf-8"]}


class Refused(Exception):
    """A request answered without Bolt: HTTP status and the cause, logged once."""

    def __init__(self, status: int, cause: str) -> None:
        super().__init__(cause)
        self.status = status
        self.cause = cause


def _json(status: int, payload: dict[str, Any]) -> WsgiHttpResponse:
    return WsgiHttpResponse(status=status, headers=JSON_HEADERS, body=json.dumps(payload))


class SlackWSGI(SlackRequestHandler):
    """Bolt's WSGI adapter, plus the health check and the refusals above."""

    def __init__(self, app: App, db: Database, clock: Callable[[], float] = time.time) -> None:
        super().__init__(app, EVENTS_PATH)
        self.db = db
        self.clock = clock

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.path == HEALTH_PATH and request.method == "GET":
            ok = self.db.ping()
            return _json(200, {"status": "ok" if ok else "degraded", "database": ok})
        if request.path != EVENTS_PATH:
            return _json(404, {"error": "not found"})
        if request.method != "POST":
            return _json(405, {"error": "method not allowed"})
        try:
            bolt_request = self._checked(request)
        except Refused as refused:
            _warn(request, refused.cause)
            return _json(refused.status, {"error": refused.cause})
        response: BoltResponse = dispatch(self.app, bolt_request)
        if response.status == 401:  # Bolt's signature check
            _warn(request, "bad signature (is SLACK_SIGNING_SECRET this app's signing secret?)")
        return WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body or "")

    def _checked(self, request: WsgiHttpRequest) -> BoltRequest:
        stream = request.environ.get("wsgi.input")
        length = int(request.environ.get("CONTENT_LENGTH") or 0)
        raw = stream.read(length) if stream is not None and length > 0 else b""
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the body is not UTF-8 text") from None
        headers = request.get_headers()
        self._check_timestamp(str(headers.get("x-slack-request-timestamp") or "").strip())
        _check_shape(body, str(headers.get("content-type") or ""))
        return BoltRequest(body=body, query=request.query_string, headers=headers)

    def _check_timestamp(self, timestamp: str) -> None:
        """What Bolt's signature check would stumble on; the signature itself is Bolt's to check."""
        if not timestamp:
            raise Refused(401, "no X-Slack-Request-Timestamp header")
        if not timestamp.isdigit():
            raise Refused(401, f"the X-Slack-Request-Timestamp {timestamp[:20]!r} is not a number")
        if abs(self.clock() - int(timestamp)) > SIGNATURE_WINDOW:
            raise Refused(401, "the request timestamp is more than 5 minutes away from this server's clock")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = self._get_http_response(WsgiHttpRequest(environ))
        start_response(response.status, response.get_headers())
        return response.get_body()


def _warn(request: WsgiHttpRequest, cause: str) -> None:
    log.warning("refused a request to %s from %s: %s", EVENTS_PATH, request.environ.get("REMOTE_ADDR", "?"), cause)


def _check_shape(body: str, content_type: str) -> None:
    """A body Bolt can read: a JSON object, or a form whose ``payload`` (if any) is a JSON object."""
    if "application/json" in content_type or (body.lstrip().startswith(("{", "[")) and "form" not in content_type):
        try:
            parsed = json.loads(body)
        except ValueError:
            raise Refused(400, "the body is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise Refused(400, f"the JSON body is a {type(parsed).__name__}, not an object")
        return
    form = parse_qs(body, keep_blank_values=True)
    if not form:
        raise Refused(400, "the body is empty or not a form")
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            raise Refused(400, "the form's payload is not valid JSON") from None
        if not isinstance(payload, dict):
            raise Refused(400, "the form's payload is not a JSON object")
