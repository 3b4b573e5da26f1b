"""Idle connections against `kensho serve --http`: do /healthz and a mention still answer in time?

    python3 bench/idle_sockets.py [--idle 1100] [--soft 1024] [--hard 1024]

Starts `kensho serve --http` as a subprocess whose limit on open files is --soft (and --hard, when
given; by default the hard limit is left as the system has it), with the fake Slack Web API of the
tests in this process. Opens --idle TCP connections that send nothing, then, while they are open,
times GET /healthz and a signed mention (request → chat.postMessage), and reports how many idle
connections the server had closed by then.
"""

from __future__ import annotations

import argparse
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, whatever `kensho` is installed

from fakeslack import FakeSlack
from slackapp import mention
from slackproc import kensho_serve_http


def _closed(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--soft", type=int, default=1024, help="the server's soft limit on open files")
    parser.add_argument("--hard", type=int, help="the server's hard limit (default: the system's)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.idle + 1000), hard))  # this client's own
    limit = (args.soft, args.hard if args.hard else hard)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        kensho_serve_http(f"sqlite:///{tmp}/bench.db", slack, descriptor_limit=limit) as app,
    ):
        host, port = app.url.removeprefix("http://").split(":")
        print(f"server limit on open files: soft {limit[0]}, hard {limit[1]}; {args.idle} idle connections")
        for r in range(args.rounds):
            slack.reset()
            opened = time.perf_counter()
            idle = []
            for _ in range(args.idle):
                idle.append(socket.create_connection((host, int(port)), timeout=10))
            opening = time.perf_counter() - opened
            start = time.perf_counter()
            health = app.get("/healthz")
            health_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            app.event(mention("ぐんま健康ポイントの寄附額は？", ts=f"17000{r:05d}.000001"))
            slack.wait_for("chat.postMessage", timeout=30)
            mention_ms = (time.perf_counter() - start) * 1000
            closed = sum(_closed(s) for s in idle)
            print(
                f"round {r + 1}: opened {len(idle)} idle in {opening:.2f} s; /healthz {health.status} in "
                f"{health_ms:.0f} ms; mention answered in {mention_ms:.0f} ms; idle closed by the server so far: "
                f"{closed}"
            )
            for s in idle:
                s.close()
            time.sleep(1)  # let the server notice the closed sockets before the next round


if __name__ == "__main__":
    main()
