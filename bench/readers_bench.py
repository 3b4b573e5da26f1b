"""Compare kanji -> reading analyzers for name matching: accuracy, install size, start-up, speed, memory.

Readers: fugashi + unidic-lite (what bot/reading.py uses), SudachiPy + sudachidict-core, pykakasi.
Only fugashi is a project dependency; install the others into a throwaway environment:

    python3 -m venv /tmp/rdvenv
    /tmp/rdvenv/bin/pip install fugashi unidic-lite sudachipy sudachidict-core pykakasi
    /tmp/rdvenv/bin/python bench/readers_bench.py

Each reader is measured in a fresh interpreter (``--one NAME``), so that import time and memory
are its own. Readings are compared as matching keys (hiragana, small kana made full size, long
vowel marks and symbols dropped), the way bot/normalize.py compares them. Prints a table.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

# (text, expected reading): catalogue names, department names and question vocabulary.
TERMS: list[tuple[str, str]] = [
    ("群馬健康ポイント制度", "ぐんまけんこうぽいんとせいど"),
    ("医療機関応援金", "いりょうきかんおうえんきん"),
    ("子ども向け地域環境学習事業", "こどもむけちいきかんきょうがくしゅうじぎょう"),
    ("横展開実証", "よこてんかいじっしょう"),
    ("拠点化推進", "きょてんかすいしん"),
    ("若者の活躍促進事業", "わかもののかつやくそくしんじぎょう"),
    ("中高生の自転車安全対策", "ちゅうこうせいのじてんしゃあんぜんたいさく"),
    ("感染症・がん疾病対策課", "かんせんしょうがんしっぺいたいさくか"),
    ("健康長寿社会づくり推進課", "けんこうちょうじゅしゃかいづくりすいしんか"),
    ("環境政策課", "かんきょうせいさくか"),
    ("地域企業支援課", "ちいききぎょうしえんか"),
    ("労働政策課", "ろうどうせいさくか"),
    ("健康体育課", "けんこうたいいくか"),
    ("群馬産業技術センター", "ぐんまさんぎょうぎじゅつせんたー"),
    ("ぐんまで働こう", "ぐんまではたらこう"),
    ("寄附額", "きふがく"),
    ("寄附件数", "きふけんすう"),
    ("事業費", "じぎょうひ"),
    ("担当課", "たんとうか"),
    ("外部有識者", "がいぶゆうしきしゃ"),
    ("今後の方針", "こんごのほうしん"),
    ("振り返り", "ふりかえり"),
    ("基本目標", "きほんもくひょう"),
    ("総合戦略", "そうごうせんりゃく"),
    ("県民所得", "けんみんしょとく"),
    ("転入超過数", "てんにゅうちょうかすう"),
    ("５Ｇ", "5g"),
    ("ｸﾞﾝﾏ健康ﾎﾟｲﾝﾄ", "ぐんまけんこうぽいんと"),
    ("上毛", "じょうもう"),
    ("八ッ場ダム", "やんばだむ"),
]
REPEAT = 200  # passes over TERMS for the per-string time
READERS = ("fugashi", "sudachi", "pykakasi")
DISTRIBUTIONS = {
    "fugashi": ["fugashi", "unidic-lite"],
    "sudachi": ["SudachiPy", "SudachiDict-core"],
    "pykakasi": ["pykakasi", "jaconv", "deprecated", "wrapt"],
}

_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")


def key(text: str) -> str:
    """A reading as a matching key: hiragana, full-size kana, no long vowel marks or symbols."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    return re.sub(r"[^\w]|_|ー", "", text.translate(_SMALL))


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def make_reader(name: str) -> Callable[[str], str]:
    """Import and initialize one reader; returns text -> reading (kana of any script)."""
    if name == "fugashi":
        import fugashi

        tagger = fugashi.Tagger()

        def read(text: str) -> str:
            out = []
            for word in tagger(unicodedata.normalize("NFKC", text)):
                kana = getattr(word.feature, "kana", None)
                out.append(kana if kana and kana != "*" else word.surface)
            return "".join(out)

        return read
    if name == "sudachi":
        from sudachipy import dictionary, tokenizer

        sudachi = dictionary.Dictionary().create()
        mode = tokenizer.Tokenizer.SplitMode.C

        def read(text: str) -> str:
            return "".join(m.reading_form() for m in sudachi.tokenize(unicodedata.normalize("NFKC", text), mode))

        return read
    if name == "pykakasi":
        import pykakasi

        kks = pykakasi.kakasi()

        def read(text: str) -> str:
            return "".join(item["hira"] for item in kks.convert(unicodedata.normalize("NFKC", text)))

        return read
    raise ValueError(name)


def measure_one(name: str) -> dict[str, object]:
    before = rss_kib()
    t0 = time.perf_counter()
    read = make_reader(name)
    init_ms = (time.perf_counter() - t0) * 1000
    after_init = rss_kib()
    readings = {text: read(text) for text, _ in TERMS}
    t0 = time.perf_counter()
    for _ in range(REPEAT):
        for text, _ in TERMS:
            read(text)
    per_string_us = (time.perf_counter() - t0) * 1e6 / (REPEAT * len(TERMS))
    wrong = [(t, key(readings[t]), e) for t, e in TERMS if key(readings[t]) != key(e)]
    return {
        "reader": name,
        "init_ms": round(init_ms, 1),
        "per_string_us": round(per_string_us, 1),
        "rss_mib": round((rss_kib() - before) / 1024, 1),
        "rss_init_mib": round((after_init - before) / 1024, 1),
        "right": len(TERMS) - len(wrong),
        "wrong": wrong,
    }


def install_mib(names: list[str]) -> float | None:
    total = 0
    for dist_name in names:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or []:
            path = Path(dist.locate_file(f))
            if path.is_file():
                total += path.stat().st_size
    return round(total / 2**20, 1) if total else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one", choices=READERS, help="measure one reader in this process (internal)")
    parser.add_argument("--show", action="store_true", help="print every wrong reading")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one), ensure_ascii=False))
        return 0
    print(f"{len(TERMS)} terms, {REPEAT} passes; Python {sys.version.split()[0]} ({sys.executable})")
    print(f"{'reader':<10} {'right':>7} {'install MiB':>12} {'init ms':>8} {'µs/str':>7} {'RSS MiB':>8}")
    for name in READERS:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", name], capture_output=True, text=True, timeout=600, check=False
        )
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"{name:<10} not measured: {reason}")
            continue
        row = json.loads(proc.stdout)
        size = install_mib(DISTRIBUTIONS[name])
        print(
            f"{name:<10} {row['right']:>3}/{len(TERMS):<3} {size if size is not None else '?':>12} "
            f"{row['init_ms']:>8} {row['per_string_us']:>7} {row['rss_mib']:>8}"
        )
        for text, got, expected in row["wrong"] if args.show else []:
            print(f"    {text}: {got} (expected {key(expected)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
