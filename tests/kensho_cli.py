"""Running this checkout's `kensho` command line as a user would, for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This checkout's entry point, never an installed `kensho` script (which may belong to another checkout).
KENSHO = [sys.executable, "-m", "kensho"]


def checkout_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with this checkout first on PYTHONPATH."""
    base = dict(os.environ if env is None else env)
    return {**base, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))}


def kensho(
    *args: str, db_url: str, home: Path, stdin: str | None = None, binary: bool = False
) -> subprocess.CompletedProcess[Any]:
    """`kensho ARGS` against ``db_url``, with a private home; stdout as text, or bytes when ``binary``."""
    env = checkout_env({**os.environ, "KENSHO_DATABASE_URL": db_url, "XDG_DATA_HOME": str(home), "PYTHONUTF8": "1"})
    text = {} if binary else {"text": True, "encoding": "utf-8"}
    return subprocess.run(
        [*KENSHO, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
        **text,
    )
