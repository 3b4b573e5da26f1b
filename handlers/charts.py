"""Charts in Slack: a chart question (or the 「グラフで見る」 button) posts a PNG into the thread.

The chart is drawn and uploaded on a worker thread of its own, so that answers never wait for it:
the listener replies at once (「グラフを作成しています」) and returns.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from slack_sdk import WebClient

from bot.charts import FIELD_LABELS, ChartSpec, render_png

log = logging.getLogger(__name__)

FAILED = "申し訳ありません。グラフを作成できませんでした。しばらくしてからもう一度お試しください。"


def preparing_text(spec: ChartSpec) -> str:
    return f"「{spec.title}」のグラフを作成しています。このスレッドに画像でお送りします。"


class ChartButton(BaseModel):
    """The 「グラフで見る」 button's value: the answer's figures and fiscal year."""

    f: list[Literal["donation_amount", "donation_count", "project_cost"]] = Field(min_length=1, max_length=3)
    y: int | None = Field(default=None, ge=1989, le=2100)


def button_value(fields: list[str], year: int | None) -> str | None:
    """The button's value for an answer's figure, or None when it is not a chartable amount."""
    chartable = [f for f in fields if f in FIELD_LABELS]
    return ChartButton.model_validate({"f": chartable, "y": year}).model_dump_json() if chartable else None


def read_button(value: str) -> ChartButton | None:
    """The figures and year a 「グラフで見る」 button asks for; None for a forged or stale value."""
    try:
        return ChartButton.model_validate_json(value)
    except ValidationError:
        return None


class ChartWorker:
    """One drawing thread per process: charts are drawn one after another, off the listener threads."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kensho-chart")

    def post(self, client: WebClient, spec: ChartSpec, channel: str, thread_ts: str | None) -> Future[Any]:
        return self._pool.submit(self._draw_and_upload, client, spec, channel, thread_ts)

    @staticmethod
    def _draw_and_upload(client: WebClient, spec: ChartSpec, channel: str, thread_ts: str | None) -> None:
        try:
            png = render_png(spec)
            client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                file=png,
                filename="kensho-chart.png",
                title=spec.title,
                alt_txt=spec.title,
            )
        except Exception:
            log.exception("could not post the chart %r to %s", spec.title, channel)
            try:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=FAILED)
            except Exception:
                log.exception("could not tell %s that the chart failed", channel)
