"""Serving Slack: HTTP mode (POST /slack/events, GET /healthz) and Socket Mode."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.request import BoltRequest

from handlers.app import dispatch
from store.db import Database

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections in a burst of simultaneous requests

    def __init__(self, address: tuple[str, int], app: App, db: Database, sock: socket.socket | None = None) -> None:
        self.app = app
        self.db = db
        if sock is None:
            super().__init__(address, _Handler)
        else:  # a listening socket shared by pre-forked workers
            super().__init__(sock.getsockname()[:2], _Handler, bind_and_activate=False)
            self.socket.close()
            self.socket = sock
            self.server_address = sock.getsockname()[:2]


class _Handler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if not headers or not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if urlsplit(self.path).path != HEALTH_PATH:
            self._send(404, b'{"error":"not found"}')
            return
        ok = self.server.db.ping()
        self._send(200, json.dumps({"status": "ok" if ok else "degraded", "database": ok}).encode())

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != EVENTS_PATH:
            self._send(404, b'{"error":"not found"}')
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(413, b'{"error":"payload too large"}')
            self.close_connection = True
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            request = BoltRequest(body=body, query=url.query, headers=headers)
        except ValueError:  # not JSON, not a form: nothing Slack would send
            self._send(400, b'{"error":"malformed body"}')
            return
        response = dispatch(self.server.app, request)
        out = {
            k: v[0] if isinstance(v, list) and len(v) == 1 else ", ".join(v) if isinstance(v, list) else v
            for k, v in response.headers.items()
        }
        self._send(response.status, (response.body or "").encode("utf-8"), out)


def serve_http(app: App, db: Database, host: str, port: int) -> SlackHTTPServer:
    """Bind (port 0 = any free port) and return the server; the caller runs serve_forever()."""
    return SlackHTTPServer((host, port), app, db)


def run_http(build: Callable[[], tuple[App, Database]], host: str, port: int, workers: int = 1) -> None:
    """Listen on host:port and serve with ``workers`` processes.

    With several workers each has its own SO_REUSEPORT socket on the same port, so the kernel spreads
    connections evenly. Each worker builds its own app and database engine after the fork. State that
    workers must agree on (processed event ids, reminder claims …) lives in the database.
    """
    backlog = SlackHTTPServer.request_queue_size
    if workers <= 1:
        sockets = [socket.create_server((host, port), backlog=backlog)]
    else:  # one listening socket per worker on the same port, all created before any worker starts
        first = socket.create_server((host, port), backlog=backlog, reuse_port=True)
        port = first.getsockname()[1]
        sockets = [
            first,
            *(socket.create_server((host, port), backlog=backlog, reuse_port=True) for _ in range(workers - 1)),
        ]
    bound_host, bound_port = sockets[0].getsockname()[:2]

    def announce() -> None:  # only once every worker is ready: the first requests are not kept waiting
        print(
            f"kensho: http://{bound_host}:{bound_port}/slack/events で待ち受けています（ヘルスチェック /healthz、"
            f"ワーカー {workers}）",
            flush=True,
        )

    if workers <= 1:
        try:
            _serve_on(build, sockets[0], announce)
        except Exception as err:
            log.exception("server failed")
            print(f"kensho: サーバーを起動できませんでした: {err}", file=sys.stderr)
            raise SystemExit(1) from None
        return
    ready_read, ready_write = os.pipe()
    children: list[int] = []
    for mine in sockets:
        pid = os.fork()
        if pid == 0:  # worker: serve its own socket only
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            status = 0
            try:
                os.close(ready_read)
                for other in sockets:
                    if other is not mine:
                        other.close()
                _serve_on(build, mine, lambda: (os.write(ready_write, b"."), os.close(ready_write)))
            except SystemExit:
                pass
            except BaseException as err:  # a worker that cannot start says why, and fails the server
                log.exception("worker %s failed", os.getpid())
                print(f"kensho: ワーカー（pid {os.getpid()}）を起動できませんでした: {err}", file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        children.append(pid)
    os.close(ready_write)
    for sock in sockets:
        sock.close()

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ready = 0
    while ready < workers:  # one byte per worker; end of file if every worker died first
        got = os.read(ready_read, workers)
        if not got:
            break
        ready += len(got)
    os.close(ready_read)
    if ready < workers:  # a worker died while starting: stop the others and fail, rather than limp on
        stop(signal.SIGTERM, None)
        for child in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)
        print(f"kensho: {workers - ready} 個のワーカーが起動できなかったため、終了します。", file=sys.stderr)
        raise SystemExit(1)
    announce()
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def _serve_on(build: Callable[[], tuple[App, Database]], sock: socket.socket, ready: Callable[[], object]) -> None:
    app, db = build()
    server = SlackHTTPServer(sock.getsockname()[:2], app, db, sock=sock)
    ready()
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
