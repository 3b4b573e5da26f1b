"""A burst of simultaneous mentions against `kensho serve --http`'s server, timed to chat.postMessage.

    python3 bench/slack_burst.py [--mentions 30] [--rounds 3]

Starts `kensho serve --http --port 0` as a subprocess on a fresh SQLite database, with the fake
Slack Web API of the tests (tests/fakeslack.py) in this process at SLACK_API_URL. Sends N signed
app_mention events at once (30 different questions about the bundled projects) and reports, per mention,
the time from sending the request to the fake Web API receiving the reply's chat.postMessage:
median, p95, max; and checks that every mention was answered exactly once.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, whatever `kensho` is installed

from fakeslack import FakeSlack
from slackapp import mention
from slackproc import kensho_serve_http

# 30 different questions, so that no answer is computed twice in a round: lookups of every kind
# of field, with the wordings staff use, aggregates, rankings, lists, an ambiguous and an unknown name.
QUESTIONS = (
    "ぐんま健康ポイントの寄附額は？",
    "医療機関応援金の担当課は？",
    "5Gデジタルファクトリーの寄附件数",
    "クリエイティブ拠点化の事業費",
    "若者の活躍促進のKPI",
    "自転車安全対策の今後の方針",
    "地域環境学習の評価",
    "寄附額の合計は？",
    "基本目標2の事業",
    "終了する事業は？",
    "健康ポイント制度の実績",
    "医療機関応援金っていくら集まった？",
    "デジタルファクトリーの担当部署",
    "クリエイティブ拠点化の有識者の意見",
    "若者の活躍促進は続く？",
    "中高生の自転車安全対策の目標値",
    "子ども向け地域環境学習事業の振り返り",
    "寄附件数の平均",
    "事業費が一番多い事業は？",
    "寄附額のランキング",
    "健康長寿社会づくり推進課の事業",
    "継続する事業の一覧",
    "ぐんまちゃん基金の寄附額は？",
    "ぐんまで働こうの寄附額と件数",
    "ｸﾞﾝﾏ健康ﾎﾟｲﾝﾄの事業費",
    "けんこうぽいんとの担当課",
    "ポイソト制度の寄付額",
    "令和3年度の寄附額の合計",
    "基本目標1の事業の寄附額の合計",
    "事業は何件ありますか",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="kensho serve --http --workers N")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        kensho_serve_http(f"sqlite:///{tmp}/bench.db", slack, workers=args.workers) as app,
    ):
        app.event(mention("寄附額の合計"))  # warm-up: name index, first connection
        app.slack.wait_for("chat.postMessage")
        latencies: list[float] = []
        for r in range(args.rounds):
            app.slack.reset()
            start_at: dict[str, float] = {}
            lock = threading.Lock()
            events = [
                mention(QUESTIONS[i % len(QUESTIONS)], ts=f"17{r:02d}00000.{i:06d}") for i in range(args.mentions)
            ]

            def send(event: dict, lock: threading.Lock = lock, start_at: dict[str, float] = start_at) -> int:
                with lock:
                    start_at[event["ts"]] = time.perf_counter()
                return app.event(event).status

            barrier_start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.mentions) as pool:
                statuses = list(pool.map(send, events))
            calls = app.slack.wait_for("chat.postMessage", count=args.mentions, timeout=60)
            time.sleep(0.2)
            calls = app.slack.calls_to("chat.postMessage")
            answered = sorted(c.args["thread_ts"] for c in calls)
            assert answered == sorted(e["ts"] for e in events), "a mention was not answered exactly once"
            assert all(s == 200 for s in statuses)
            # Call.time is time.time() at arrival; convert our perf_counter starts to the same clock.
            offset = time.time() - time.perf_counter()
            for c in calls:
                latencies.append((c.time - offset - start_at[c.args["thread_ts"]]) * 1000)
            print(
                f"round {r + 1}: {len(calls)} replies for {args.mentions} mentions in "
                f"{(time.perf_counter() - barrier_start) * 1000:.0f} ms"
            )
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\n{len(latencies)} mentions, each answered exactly once")
    print(
        f"request → chat.postMessage: median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
