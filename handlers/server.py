"""Serving Slack: HTTP mode on waitress (POST /slack/events, GET /healthz), and Socket Mode.

waitress reads requests asynchronously, so a connection that sends nothing costs a descriptor, not
a thread, and is closed after ``Limits.channel_timeout``; one trickling its request is closed after
``Limits.request_timeout``; requests are handled by a bounded pool of threads; at most
``connection_limit`` connections are open at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from handlers.wsgi import EVENTS_PATH, HEALTH_PATH, SlackWSGI
from store.db import Database

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "Limits", "SlackHTTPServer", "run_http", "serve_http"]

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
RESERVED_DESCRIPTORS = 64  # database connections, Slack Web API calls, logs
ACCEPT_BATCH = 64


@dataclass(frozen=True)
class Limits:
    """What one server process accepts. Idle connections cost a file descriptor, never a thread."""

    threads: int = 8  # requests handled at once (Bolt acknowledges; listeners run on Bolt's own pool)
    channel_timeout: float = 15.0  # seconds a connection may stay silent, before or between requests
    request_timeout: float = 30.0  # seconds a request may take to arrive whole (headers trickled slowly)
    cleanup_interval: float = 1.0  # how often idle connections are looked for
    connection_limit: int = 2000  # open connections; beyond it new ones wait in the listen backlog
    backlog: int = 1024
    max_body: int = MAX_BODY  # larger bodies are answered 413
    max_header: int = 64 * 1024


def raise_descriptor_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (never above the hard limit).

    Returns the soft limit now in force. Many systems start processes at 1,024 descriptors while
    allowing far more.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return soft if soft != resource.RLIM_INFINITY else wanted


def effective_connection_limit(limits: Limits) -> int:
    """The connection limit the descriptors allow: some are kept for the database, Slack and logs."""
    available = raise_descriptor_limit(limits.connection_limit + RESERVED_DESCRIPTORS)
    return max(16, min(limits.connection_limit, available - RESERVED_DESCRIPTORS))


class _Channel(HTTPChannel):
    """waitress's connection, which remembers when the request it is reading began to arrive."""

    started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.started = time.time()
        return bool(super().received(data))


class _SheddingServer(TcpWSGIServer):
    """waitress's TCP server, which at its connection limit first closes the longest-idle connections,
    and closes connections whose request has not arrived whole within ``request_timeout``.

    waitress alone stops accepting at the limit, so a new request (a health check, Slack's next
    event) would wait in the listen backlog until idle connections time out one by one; and its idle
    timeout never ends a client that sends a header byte every few seconds.
    """

    channel_class = _Channel
    request_timeout = Limits.request_timeout

    def handle_accept(self) -> None:
        """Accept every waiting connection (up to ACCEPT_BATCH), not one per pass of the loop: a pass
        looks at every open connection, so a burst of them would keep a health check waiting."""
        for _ in range(ACCEPT_BATCH):
            before = len(self._map)
            if before >= self.adj.connection_limit:
                return
            super().handle_accept()
            if len(self._map) == before:  # nothing left to accept
                return

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        for channel in self.active_channels.values():
            if channel.request is not None and not channel.requests and now - channel.started > self.request_timeout:
                channel.will_close = True

    def readable(self) -> bool:
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            idle = [c for c in self.active_channels.values() if not c.requests and not c.will_close]
            idle.sort(key=lambda c: c.last_activity)
            for channel in idle[: max(1, self.adj.connection_limit // 100)]:
                channel.will_close = True  # closed by the loop's next pass
        return bool(super().readable())


class SlackHTTPServer:
    """waitress serving kensho's WSGI application on one listening socket."""

    def __init__(self, app: App, db: Database, sock: socket.socket, limits: Limits = Limits()) -> None:
        self.app = app
        self.db = db
        self.limits = limits
        self._map: dict[int, Any] = {}
        adjustments = Adjustments(
            sockets=[sock],
            threads=limits.threads,
            channel_timeout=limits.channel_timeout,
            cleanup_interval=limits.cleanup_interval,
            connection_limit=effective_connection_limit(limits),
            backlog=limits.backlog,
            max_request_body_size=limits.max_body,
            max_request_header_size=limits.max_header,
            asyncore_use_poll=True,  # select() cannot watch descriptors past 1,024
            asyncore_loop_timeout=1,
            expose_tracebacks=False,
            ident="kensho",
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(limits.threads)
        self._server = _SheddingServer(
            SlackWSGI(app, db),
            self._map,
            _sock=sock,
            dispatcher=dispatcher,
            adj=adjustments,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        )
        self._server.request_timeout = limits.request_timeout
        self.server_address: tuple[str, int] = sock.getsockname()[:2]
        self._stopped = threading.Event()
        self._stopped.set()  # not serving yet

    def serve_forever(self) -> None:
        self._stopped.clear()
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop serving, from another thread, and wait until the loop has ended: the loop itself
        closes every connection (closing them from here would race with it)."""
        if not self._stopped.is_set():
            with contextlib.suppress(OSError):  # the loop closed its trigger already: it is ending on its own
                self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._map))
            self._stopped.wait(timeout)

    def server_close(self) -> None:
        self._server.task_dispatcher.shutdown(timeout=5)
        if self._stopped.is_set():
            wasyncore.close_all(self._map)  # what a loop that never ran left open


def listening_socket(host: str, port: int, *, reuse_port: bool = False, backlog: int = Limits.backlog) -> socket.socket:
    return socket.create_server((host, port), backlog=backlog, reuse_port=reuse_port)


def serve_http(app: App, db: Database, host: str, port: int, limits: Limits = Limits()) -> SlackHTTPServer:
    """Bind (port 0 = any free port) and return the server; the caller runs serve_forever()."""
    return SlackHTTPServer(app, db, listening_socket(host, port), limits)


def run_http(build: Callable[[], tuple[App, Database]], host: str, port: int, workers: int = 1) -> None:
    """Listen on host:port and serve with ``workers`` processes.

    With several workers each has its own SO_REUSEPORT socket on the same port, so the kernel spreads
    connections evenly. Each worker builds its own app and database engine after the fork. State that
    workers must agree on (processed event ids, reminder claims …) lives in the database.
    """
    if workers <= 1:
        sockets = [listening_socket(host, port)]
    else:  # one listening socket per worker on the same port, all created before any worker starts
        first = listening_socket(host, port, reuse_port=True)
        port = first.getsockname()[1]
        sockets = [first, *(listening_socket(host, port, reuse_port=True) for _ in range(workers - 1))]
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
            log.debug("server failed", exc_info=True)
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
                log.debug("worker %s failed", os.getpid(), exc_info=True)
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
    server = SlackHTTPServer(app, db, sock)
    ready()
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
