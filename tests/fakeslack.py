"""A fake Slack Web API for end-to-end tests, plus helpers to sign requests for a Bolt app.

Usage::

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C0CHAN", text="hi")
        [call] = slack.wait_for("chat.postMessage")
        assert call.args["text"] == "hi"
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

Json = dict[str, Any]

TEAM_ID = "T0TEST"
APP_ID = "A0TEST"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

AUTH_TEST: Json = {
    "ok": True,
    "url": "https://kensho-test.slack.com/",
    "team": "Test",
    "user": "kensho",
    "team_id": TEAM_ID,
    "user_id": BOT_USER_ID,
    "bot_id": BOT_ID,
    "is_enterprise_install": False,
}

# Arguments that carry JSON text when form-encoded; Call.args holds them decoded.
JSON_ARGS = frozenset({"attachments", "blocks", "files", "metadata", "unfurls", "user_auth_blocks", "view"})

# Arguments of chat.postMessage echoed back in its "message".
ECHOED_MESSAGE_ARGS = ("text", "blocks", "attachments", "thread_ts", "metadata")

# Process-wide counter for generated ids (trigger ids, response urls).
_ids = itertools.count(1)


@dataclass(frozen=True)
class Call:
    """One request received by the fake server."""

    method: str  # "chat.postMessage", ... or "response_url"
    args: dict[str, Any]  # parsed arguments, JSON_ARGS decoded to Python objects
    headers: dict[str, str]  # request headers, keys lower-cased
    time: float  # time.time() when the request arrived
    raw_args: dict[str, Any] = field(default_factory=dict)  # arguments as sent (JSON text kept)
    path: str = ""  # request path, e.g. "/api/chat.postMessage" or "/respond/3"


@dataclass(frozen=True)
class _Fault:
    error: str
    retry_after: int | None = None  # set -> answer HTTP 429


def _error(code: str) -> Json:
    return {"ok": False, "error": code}


def _parse_form(text: str) -> dict[str, Any]:
    parsed = parse_qs(text, keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _parse_args(body: str, content_type: str, query: str) -> dict[str, Any] | None:
    """Merge query string and body arguments; None when a JSON body is malformed."""
    args = _parse_form(query)
    is_json = "json" in content_type or ("form" not in content_type and body.lstrip().startswith("{"))
    if body and is_json:
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        if not isinstance(parsed, dict):
            return None
        args.update(parsed)
    elif body:
        args.update(_parse_form(body))
    return args


def _decode_json_args(raw: dict[str, Any]) -> dict[str, Any]:
    args = dict(raw)
    for key in JSON_ARGS & raw.keys():
        if isinstance(raw[key], str):
            with contextlib.suppress(ValueError):  # not JSON: keep the string
                args[key] = json.loads(raw[key])
    return args


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections in a burst (the client retries the SYN a second
    # later); Slack's own API does not make clients wait like that.
    request_queue_size = 128

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:  # e.g. users.info is sent as GET by slack_sdk
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        if self.path.startswith("/upload/"):  # a file's bytes, sent to the URL files.getUploadURLExternal gave
            status, text = self.server.fake._handle_upload(self.path, headers, raw)
            data, content_type, extra_headers = text.encode("utf-8"), "text/plain; charset=utf-8", {}
        else:
            status, extra_headers, payload = self.server.fake._handle(self.path, headers, raw.decode("utf-8"))
            data, content_type = json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra_headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass


class FakeSlack:
    """In-process fake of the Slack Web API; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.latency: float = 0.0  # seconds to wait before answering each request
        self._lock = threading.RLock()
        self._seq = itertools.count(1)  # never reset, so ts / view ids stay unique
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.socket_mode_url: str | None = None  # handed out by apps.connections.open (tests/fakesocket.py)
        self._handlers: dict[str, Callable[[dict[str, Any]], Json]] = {
            "auth.test": lambda args: dict(AUTH_TEST),
            "apps.connections.open": self._open_connection,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": lambda args: {"ok": True, "message_ts": self._next_ts()},
            "chat.update": self._update_message,
            "chat.delete": lambda args: {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")},
            "conversations.open": self._open_conversation,
            "conversations.history": self._conversation_history,
            "users.info": self._user_info,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL for WebClient(base_url=...) / SLACK_API_URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, n: int | str | None = None) -> str:
        """A response_url served by this fake; a fresh one when n is None."""
        return f"http://127.0.0.1:{self.port}/respond/{next(_ids) if n is None else n}"

    # --- recorded calls --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least `count` calls to `method` were answered; return all of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                break
            time.sleep(0.005)
        recorded = "\n".join(
            f"  {call.method} {json.dumps(call.args, default=str, ensure_ascii=False)[:200]}" for call in self.calls
        )
        raise AssertionError(
            f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; "
            f"recorded:\n{recorded or '  (nothing)'}"
        )

    def reset(self) -> None:
        """Forget recorded calls and all server state (failures, triggers, views, users)."""
        with self._lock:
            self._calls: list[Call] = []
            self._faults: dict[str, deque[_Fault]] = {}
            self._used_triggers: set[str] = set()
            self._expired_triggers: set[str] = set()
            self._no_dm: set[str] = set()
            self.views: dict[str, Json] = {}  # latest version of each view, by id
            self.home_views: dict[str, Json] = {}  # latest published home view, by user id
            self.users: dict[str, Json] = {}  # per-user overrides merged into users.info
            self.history: dict[str, list[Json]] = {}  # messages posted, by channel
            self.pending_uploads: dict[str, Json] = {}  # file id -> files.getUploadURLExternal arguments
            self.uploads: dict[str, bytes] = {}  # file id -> the bytes POSTed to its upload URL
            self.shared_files: list[Json] = []  # each completed file: id, title, bytes, channel, thread_ts

    # --- programming behaviour -------------------------------------------------------------

    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        self._add_faults(method, _Fault(error), times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self._add_faults(method, _Fault("ratelimited", retry_after), times)

    def _open_connection(self, args: dict[str, Any]) -> Json:
        if self.socket_mode_url is None:
            return _error("not_allowed_token_type")
        return {"ok": True, "url": self.socket_mode_url}

    def expire_trigger(self, trigger_id: str) -> None:
        with self._lock:
            self._expired_triggers.add(trigger_id)

    def cannot_dm(self, user_id: str) -> None:
        with self._lock:
            self._no_dm.add(user_id)

    def _add_faults(self, method: str, fault: _Fault, times: int) -> None:
        with self._lock:
            self._faults.setdefault(method, deque()).extend([fault] * times)

    # --- request handling (runs on server threads) -----------------------------------------

    def _handle(self, path: str, headers: dict[str, str], body: str) -> tuple[int, dict[str, str], Json]:
        arrived = time.time()
        url = urlsplit(path)
        if url.path.startswith("/respond/"):
            method = "response_url"
        elif url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        else:
            return 404, {}, _error("unknown_path")
        raw = _parse_args(body, headers.get("content-type", ""), url.query)
        if self.latency:
            time.sleep(self.latency)
        # Record and answer atomically, so wait_for() never sees a call whose effects are missing.
        with self._lock:
            call = Call(method, _decode_json_args(raw or {}), headers, arrived, raw or {}, url.path)
            self._calls.append(call)
            if raw is None:
                return 200, {}, _error("invalid_json")
            return self._answer(call)

    def _answer(self, call: Call) -> tuple[int, dict[str, str], Json]:
        # Socket Mode connections are opened with the app-level token, everything else with the bot's.
        token_kind = "xapp-" if call.method == "apps.connections.open" else "xoxb-"
        authed = call.headers.get("authorization", "").startswith(f"Bearer {token_kind}")
        if call.method != "response_url" and not authed:
            return 200, {}, _error("not_authed")
        faults = self._faults.get(call.method)
        if faults:
            fault = faults.popleft()
            if fault.retry_after is not None:
                return 429, {"Retry-After": str(fault.retry_after)}, _error(fault.error)
            return 200, {}, _error(fault.error)
        handler = self._handlers.get(call.method)
        return 200, {}, handler(call.args) if handler else {"ok": True}

    # --- file uploads (files_upload_v2: get an upload URL, POST the bytes there, complete) ----

    def _upload_url(self, args: dict[str, Any]) -> Json:
        filename, length = args.get("filename"), str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            return _error("invalid_arguments")
        file_id = f"F{next(self._seq):010d}"
        self.pending_uploads[file_id] = {"filename": filename, "length": int(length), "alt_txt": args.get("alt_txt")}
        return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _handle_upload(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, str]:
        file_id = urlsplit(path).path.removeprefix("/upload/")
        with self._lock:
            call = Call("upload", {"file_id": file_id, "length": len(raw)}, headers, time.time(), {}, path)
            self._calls.append(call)
            pending = self.pending_uploads.get(file_id)
            if pending is None or file_id in self.uploads:
                return 404, "file_not_found"
            if pending["length"] != len(raw):
                return 400, "length_mismatch"
            self.uploads[file_id] = raw
        return 200, f"OK - {len(raw)}"

    def _complete_upload(self, args: dict[str, Any]) -> Json:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        if any(not isinstance(f, dict) or f.get("id") not in self.uploads for f in files):
            return _error("file_upload_not_complete")  # completing a file whose bytes never arrived
        if args.get("thread_ts") and not args.get("channel_id"):
            return _error("invalid_arguments")
        done = []
        for f in files:
            shared = {
                "id": f["id"],
                "title": f.get("title") or self.pending_uploads[f["id"]]["filename"],
                "name": self.pending_uploads[f["id"]]["filename"],
                "bytes": self.uploads.pop(f["id"]),
                "channel": args.get("channel_id"),
                "thread_ts": args.get("thread_ts"),
                "initial_comment": args.get("initial_comment"),
            }
            self.shared_files.append(shared)
            done.append({"id": shared["id"], "title": shared["title"], "name": shared["name"]})
        return {"ok": True, "files": done}

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + 100 * next(self._seq)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _post_message(self, args: dict[str, Any]) -> Json:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        if channel in self._no_dm:
            return _error("cannot_dm_bot")
        ts = self._next_ts()
        echoed = {key: args[key] for key in ECHOED_MESSAGE_ARGS if key in args}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts, **echoed}
        with self._lock:
            self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversation_history(self, args: dict[str, Any]) -> Json:
        """Messages posted to the channel (newest first), metadata included, from ``oldest`` on."""
        oldest = float(args.get("oldest") or 0)
        with self._lock:
            messages = [m for m in self.history.get(str(args.get("channel")), []) if float(m["ts"]) >= oldest]
        return {"ok": True, "messages": list(reversed(messages)), "has_more": False}

    def _update_message(self, args: dict[str, Any]) -> Json:
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": args.get("ts"),
            "text": args.get("text", ""),
        }

    def _open_conversation(self, args: dict[str, Any]) -> Json:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = args.get("users", "")
        user = (",".join(users) if isinstance(users, list) else users).split(",")[0]
        if not user:
            return _error("users_list_not_supplied")
        if user in self._no_dm:
            return _error("user_not_found")
        return {"ok": True, "channel": {"id": "D" + user}}

    def _user_info(self, args: dict[str, Any]) -> Json:
        user_id = args.get("user")
        if not user_id:
            return _error("user_not_found")
        real_name = f"Test User {user_id}"
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "real_name": real_name,
            "tz": "Asia/Tokyo",
            "tz_label": "Japan Standard Time",
            "tz_offset": 32400,
            "is_bot": False,
            "deleted": False,
            "profile": {"real_name": real_name, "display_name": user_id.lower()},
        }
        return {"ok": True, "user": {**user, **self.users.get(user_id, {})}}

    def _store_view(self, view: Json, view_id: str | None = None) -> Json:
        view_id = view_id or f"V{next(self._seq):010d}"
        view_hash = f"{next(self._seq)}.{uuid.uuid4().hex[:8]}"
        stored = {"state": {"values": {}}, **view, "id": view_id, "hash": view_hash}
        stored.update({"team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID})
        self.views[view_id] = stored
        return stored

    def _open_view(self, args: dict[str, Any]) -> Json:
        trigger_id = args.get("trigger_id")
        if not trigger_id or not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        if trigger_id in self._expired_triggers:
            return _error("expired_trigger_id")
        if trigger_id in self._used_triggers:
            return _error("exchanged_trigger_id")
        self._used_triggers.add(trigger_id)
        return {"ok": True, "view": self._store_view(args["view"])}

    def _update_view(self, args: dict[str, Any]) -> Json:
        if not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        external_id = args.get("external_id")
        by_external_id = (v["id"] for v in self.views.values() if v.get("external_id") == external_id)
        view_id = args.get("view_id") or (next(by_external_id, None) if external_id else None)
        if not view_id:
            return _error("not_found")
        current = self.views.get(view_id)  # unknown ids (e.g. from hand-made payloads) are accepted
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            return _error("hash_conflict")
        return {"ok": True, "view": self._store_view(args["view"], view_id)}

    def _publish_view(self, args: dict[str, Any]) -> Json:
        user_id = args.get("user_id")
        if not user_id or not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        current = self.home_views.get(user_id)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            return _error("hash_conflict")
        stored = self._store_view(args["view"], current["id"] if current else None)
        self.home_views[user_id] = stored
        return {"ok": True, "view": stored}


# --- helpers to build signed requests for a Bolt app ---------------------------------------


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers that make `body` pass Bolt's request signature verification."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
        "Content-Type": content_type,
    }


def event_body(
    event: dict[str, Any], event_id: str | None = None, team_id: str = TEAM_ID, api_app_id: str = APP_ID
) -> str:
    """An Events API `event_callback` envelope around `event`, as JSON text."""
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": team_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
    )


def command_body(
    text: str,
    command: str = "/kensho",
    user_id: str = "U0USER",
    channel_id: str = "C0CHAN",
    trigger_id: str | None = None,
    slack: FakeSlack | None = None,
) -> str:
    """A form-encoded slash command; its response_url points at `slack` when given."""
    n = next(_ids)
    response_url = slack.response_url(n) if slack else f"https://hooks.slack.com/commands/{TEAM_ID}/{n}/fake"
    return urlencode(
        {
            "token": "verification-token",
            "team_id": TEAM_ID,
            "team_domain": "kensho-test",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"{n}.{uuid.uuid4().hex}",
        }
    )


def action_body(payload: dict[str, Any]) -> str:
    """A form-encoded interactivity request (block_actions, view_submission, shortcut...)."""
    return urlencode({"payload": json.dumps(payload)})
