#!/usr/bin/env python3
"""Near-miss names: how often a name that nobody has, made from a real one, is answered anyway.

    python3 bench/near_miss.py [--import SHEET.csv --issuer NAME [--alone]] [--show N]

For every project of the deployment's issuer, each word of its official name (as MeCab cuts it,
content words only) is in turn replaced by a content word of another project's name, or dropped,
or doubled with a word of another name added before it. A mutation that equals a name form of any
project is skipped. Each mutation is asked with a field (「…の寄附額は？」); an answer naming a
project is *wrong*: the name asked about does not exist. Prints the rate per kind and examples.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import", dest="sheet", type=Path)
    parser.add_argument("--issuer", default=None)
    parser.add_argument("--alone", action="store_true")
    parser.add_argument("--show", type=int, default=20)
    parser.add_argument("--per-project", type=int, default=12)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="kensho-nm-")
    os.environ["KENSHO_DATABASE_URL"] = f"sqlite:///{home}/nm.db"
    from bot.ask import Asker
    from bot.normalize import fold
    from bot.tokens import tokenize
    from store.db import open_database
    from store.importer import import_file

    db = open_database(os.environ["KENSHO_DATABASE_URL"], seed=not args.alone)
    if args.sheet:
        import_file(db, args.sheet, issuer_name=args.issuer)
    asker = Asker(db, issuer=args.issuer)
    cat = asker.cache.get()
    own = cat.issuer_id(asker.issuer)
    projects = [p for p in cat.projects if p.issuer_id == own]
    names = {fold(n) for p in cat.projects for n in [p.name, *p.aliases]}
    forms = {f.key for f in cat.project_index.forms}

    def words(name: str) -> list[str]:
        toks = tokenize(name).tokens
        return [t.surface for t in toks if t.pos in {"名詞", "接頭辞", "接尾辞"} and not t.function]

    pool = sorted({w for p in projects for w in words(p.name) if len(w) >= 2})
    rng = random.Random(7)
    counts: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    examples: list[str] = []
    for p in projects:
        own_words = words(p.name)
        made: list[tuple[str, str]] = []
        for w in own_words:
            if len(w) < 2 or w not in p.name:
                continue
            other = rng.choice([x for x in pool if x not in p.name] or pool)
            made.append(("replaced", p.name.replace(w, other, 1)))
            made.append(("added", p.name.replace(w, other + w, 1)))
        rng.shuffle(made)
        for kind, mention in made[: args.per_project]:
            if fold(mention) in names or fold(mention) in forms:
                continue
            answer = asker.ask(f"{mention}の寄附額は？")
            counts[kind] += 1
            if answer.status == "answered" and answer.projects:
                wrong[kind] += 1
                if len(examples) < args.show:
                    examples.append(f"  {kind}: {mention} -> {answer.projects[0]}")
    total, bad = sum(counts.values()), sum(wrong.values())
    print(f"near-miss names of {len(projects)} projects: {total} asked, {bad} answered with a project")
    for kind in counts:
        print(f"  {kind}: {wrong[kind]}/{counts[kind]}")
    print("\n".join(examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
