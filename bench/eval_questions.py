#!/usr/bin/env python3
"""Score question sets (JSON Lines, the dev-set format) against kensho, as the before-stop hook does.

    python3 bench/eval_questions.py SET.jsonl [SET2.jsonl …] [--import SHEET.csv --issuer NAME] [--show N]

A fresh SQLite database is made with the bundled data (and, with --import, another issuer's sheet).
A case is right when the status matches and, for an answer, the first project, the set of listed
projects, the field and every expected string match. It is *wrong* — the one thing kensho must never
do — when kensho answers although it should not have, or answers with another project than expected.
Prints accuracy overall, for core questions and per kind, then the failures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def squash(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# Both show 事業内容 (the overview holds it): set 8's writers were told summary means 事業内容, the
# earlier sets' writers labelled 事業内容 result; either answer shows what was asked.
SAME_FIELD = {"summary": "result"}


def _field_class(field: str | None) -> str | None:
    return SAME_FIELD.get(field or "", field)


def grade(case: dict, out: dict) -> tuple[bool, bool, str]:
    """(right, wrong, why)."""
    if out.get("status") != case["status"]:
        wrong = out.get("status") == "answered"
        return False, wrong, f"status {out.get('status')} expected {case['status']}"
    if case["status"] != "answered":
        return True, False, ""
    names = [squash(n) for n in out.get("projects") or []]
    if case.get("project") and (not names or names[0] != squash(case["project"])):
        return False, True, f"first project {names[:1]} expected {case['project']}"
    if case.get("projects") and set(names) != {squash(n) for n in case["projects"]}:
        return False, False, f"projects {names} expected {case['projects']}"
    if case.get("field") and _field_class(out.get("field")) != _field_class(case["field"]):
        return False, False, f"field {out.get('field')} expected {case['field']}"
    text = squash(out.get("text"))
    missing = [e for e in case.get("expect", []) if squash(e) not in text]
    if missing:
        return False, False, f"text lacks {missing}"
    return True, False, ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--import", dest="sheet", type=Path)
    parser.add_argument("--issuer", default=None)
    parser.add_argument("--alone", action="store_true", help="drop the bundled data before importing the sheet")
    parser.add_argument("--show", type=int, default=40, help="failures to print")
    parser.add_argument("--only-core", action="store_true")
    parser.add_argument("--home", help="folder for the database (default: a new temporary one)")
    args = parser.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="kensho-eval-")
    os.environ["KENSHO_DATABASE_URL"] = f"sqlite:///{home}/eval.db"
    from bot.ask import Asker
    from store.db import open_database

    db = open_database(os.environ["KENSHO_DATABASE_URL"])
    if args.sheet and args.alone:
        # Until issuers are first-class (issue 11): the sheet alone, filed under the bundled issuer.
        from sqlalchemy import delete, text

        from store.models import Department, Goal, Kpi, Project, Record, Revision

        with db.session() as session:
            for model in (Kpi, Revision, Record, Project, Goal, Department):
                session.execute(delete(model))
            session.execute(text("UPDATE catalogue_version SET version = version + 1"))
            session.commit()
    if args.sheet:
        import subprocess

        cmd = [sys.executable, "-m", "kensho", "import", str(args.sheet)]
        if args.issuer:
            cmd += ["--issuer", args.issuer]
        root = Path(__file__).resolve().parent.parent  # this checkout's kensho, not an installed one
        done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ, cwd=root, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
    asker = Asker(db)
    for path in args.sets:
        cases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        if args.only_core:
            cases = [c for c in cases if c.get("core")]
        right = wrong = core = core_right = 0
        kinds: Counter[str] = Counter()
        kinds_right: Counter[str] = Counter()
        failures = []
        for case in cases:
            try:
                out = asker.ask(case["q"]).to_json()
            except Exception as exc:  # a crash is a failure of that question, not of the run
                out = {"status": "error", "text": repr(exc)}
            ok, bad, why = grade(case, out)
            right += ok
            wrong += bad
            kinds[case.get("kind", "?")] += 1
            kinds_right[case.get("kind", "?")] += ok
            if case.get("core"):
                core += 1
                core_right += ok
            if not ok:
                failures.append((bad, case, why, out))
        print(
            f"== {path}: {right}/{len(cases)} right ({100 * right / max(len(cases), 1):.1f}%), "
            f"core {core_right}/{core} ({100 * core_right / max(core, 1):.1f}%), WRONG {wrong}"
        )
        print("   " + ", ".join(f"{k} {kinds_right[k]}/{n}" for k, n in kinds.most_common()))
        for bad, case, why, out in sorted(failures, key=lambda f: not f[0])[: args.show]:
            first = (out.get("text") or "").splitlines()[:1]
            print(f"  {'WRONG ' if bad else ''}[{case.get('kind')}] {case['q']} -> {why} | {first}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
