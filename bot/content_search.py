"""Projects found by what they are rather than by name: when a mention names no project, the words
the question typed may still describe one (ジョブカフェ, 若者の就職支援) in its 事業内容 or KPI.

Strict on purpose: a run counts as a whole (地域医療支援 must stand in one text as written, not as
three common words spread over a project's texts), and a name-like word in katakana or Latin letters
(ヘルメット) is looked for only together with every other word of the run in the project's name.
"""

from __future__ import annotations

from bot.catalogue import Catalogue, ProjectEntry
from bot.names import _name_like
from bot.tagging import Tag
from bot.tokens import Tokens

THING_LIMIT = 50
_STOP_TAIL = frozenset({"じぎょう", "事業", "ぷろじぇくと", "取組"})


def search(cat: Catalogue, tokens: Tokens, tags: list[Tag], runs: list[tuple[int, int]]) -> list[ProjectEntry]:
    soft = {i for t in tags if t.soft for i in range(t.start, t.end)}
    found: list[ProjectEntry] = []
    for a, b in runs:
        words = [i for i in range(a, b) if i not in soft and tokens.tokens[i].key not in {"", "の", "・"}]
        while words and tokens.tokens[words[-1]].key in _STOP_TAIL:
            words.pop()
        if not words:
            return []
        hits = _by_phrase(cat, tokens, words) or _by_thing(cat, tokens, words)
        if not hits and _described(tokens, b):
            hits = _by_words(cat, tokens, words)
        if not hits:
            return []
        found = hits if not found else [p for p in found if p in hits]
    return found


def _by_phrase(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """The run, as typed, in what a project is (name, 事業内容, KPI, aliases) or, if it is several
    words long, in what was said about it (振り返り, 有識者意見)."""
    phrase = tokens.key(words[0], words[-1] + 1)  # as typed, with の (若者の就職支援)
    if len(phrase) < 2:
        return []
    out = []
    for i in cat.projects_containing(phrase):
        p = cat.projects[i]
        named = len(words) == 1 and _name_like(tokens.tokens[words[0]].surface) and len(phrase) >= 3
        if phrase in p.text or ((len(words) >= 2 or named) and phrase in p.remarks):
            out.append(p)
    return out


def _described(tokens: Tokens, end: int) -> bool:
    """Whether the run is what a verb describing the project is about (学生の県内就職|を支援する事業,
    シルバー人材センター|と連携してる事業): a description, not a would-be name (地域医療支援事業)."""
    toks = tokens.tokens
    if end + 1 >= len(toks) or toks[end].surface not in {"を", "が", "と", "に"}:
        return False
    verb = toks[end + 1]
    return verb.pos == "動詞" or (verb.pos3 == "サ変可能" and end + 2 < len(toks) and toks[end + 2].pos == "動詞")


def _by_words(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """Every word of a description (学生, 県内就職) in one text of a project (学生等の県内就職…)."""
    keys = [tokens.tokens[i].key for i in words if len(tokens.tokens[i].key) >= 2]
    if len(keys) < 2 or len(keys) != len(words):
        return []
    out = []
    for i in cat.projects_containing(max(keys, key=len)):
        p = cat.projects[i]
        if any(all(k in text for k in keys) for text in p.text.split("|")):
            out.append(p)
    return out


def _by_thing(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """自転車ヘルメット: a thing in katakana (ヘルメット) in the project's texts, every other word in its name."""
    things = [tokens.tokens[i].key for i in words if _name_like(tokens.tokens[i].surface)]
    things = [t for t in things if len(t) >= 3]
    others = [tokens.tokens[i].key for i in words if not _name_like(tokens.tokens[i].surface)]
    if not things or not others:
        return []
    named = cat.projects_named_with(max(others, key=len), limit=THING_LIMIT)
    if len(named) > THING_LIMIT:
        return []
    out = []
    for i in named:
        p = cat.projects[i]
        name = p.text.split("|", 1)[0]
        if all(o in name for o in others) and all(t in p.text for t in things):
            out.append(p)
    return out
