"""Projects found by what they are rather than by name: when a mention names no project, the words
the question typed may still describe one (ジョブカフェ, 若者の就職支援) in its 事業内容 or KPI.

Strict on purpose: a run counts as a whole (地域医療支援 must stand in one text as written, not as
three common words spread over a project's texts), and a name-like word in katakana or Latin letters
(ヘルメット) is looked for only together with every other word of the run in the project's name.
"""

from __future__ import annotations

from bot.catalogue import Catalogue, ProjectEntry
from bot.names import NAME_ENDINGS, _name_like
from bot.tagging import Tag
from bot.tokens import Tokens

THING_LIMIT = 50
_STOP_TAIL = frozenset({"じぎょう", "事業", "ぷろじぇくと", "取組"})


def search(cat: Catalogue, tokens: Tokens, tags: list[Tag], runs: list[tuple[int, int]]) -> list[ProjectEntry]:
    soft = {i for t in tags if t.soft for i in range(t.start, t.end)}
    issuer = {i for t in tags if t.kind == "issuer" for i in range(t.start, t.end)}
    sources = {i for t in tags if t.kind == "generic" and t.value == "source" for i in range(t.start, t.end)}
    found: list[ProjectEntry] = []
    phrases: list[str] = []
    for a, b in runs:
        words = [i for i in range(a, b) if tokens.tokens[i].key not in {"", "の", "・"}]
        # 群馬の子ども向け…: the issuer's name before the words is no word of them; 子ども向け地域環境|群馬|事業
        # has it where a word of the name was.
        first = next((i for i in words if i not in soft), b)
        # A who-or-where word typed inside the run (子ども食堂支援会議事業) is a word of it, as a name's.
        glued = {i for i in words if i in sources and tokens.touching(i)}
        words = [i for i in words if i not in soft or (i in issuer and i > first) or i in glued]
        while words and tokens.tokens[words[-1]].key in _STOP_TAIL:
            words.pop()
        if not words:
            return []
        hits = _by_phrase(cat, tokens, words) or _by_thing(cat, tokens, words)
        if not hits and (described(tokens, b) or _referred(tokens, tags, words)):
            hits = _by_words(cat, tokens, words)
        if not hits:
            return []
        found = hits if not found else [p for p in found if p in hits]
        phrases.append("".join(tokens.tokens[i].key for i in words))
    # ベトナムで現地プロモーションをやった事業: the runs of one description are one thing done, in one
    # text of the project (or its name), not words of texts that say different things.
    return [p for p in found if len(phrases) < 2 or _together(p, phrases)]


def _together(project: ProjectEntry, phrases: list[str]) -> bool:
    name = project.text.split("|", 1)[0]
    rest = [w for w in phrases if w not in name]
    texts = [*project.texts, *project.remarks.split("|")]
    return not rest or any(all(w in t.replace("の", "") for w in rest) for t in texts)


def _by_phrase(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """The run, as typed, in what a project is (name, 事業内容, KPI, aliases) or, if it is several
    words long, in what was said about it (振り返り, 有識者意見)."""
    typed = tokens.key(words[0], words[-1] + 1)  # as typed, with の (若者の就職支援)
    # … and without the の the asker put in (外貿コンテナの取扱量 for the KPI 外貿コンテナ取扱量).
    bare = "".join(tokens.tokens[i].key for i in range(words[0], words[-1] + 1) if tokens.tokens[i].key != "の")
    for phrase in dict.fromkeys((typed, bare)):
        if len(phrase) < 2:
            continue
        out = []
        for i in cat.projects_containing(phrase):
            p = cat.projects[i]
            named = len(words) == 1 and _name_like(tokens.tokens[words[0]].surface) and len(phrase) >= 3
            if phrase in p.text or phrase in p.earlier or ((len(words) >= 2 or named) and phrase in p.remarks):
                out.append(p)
        if out:
            return out
    return []


def described(tokens: Tokens, end: int) -> bool:
    """Whether the run is what a verb describing the project is about (学生の県内就職|を支援する事業,
    シルバー人材センター|と連携してる事業): a description, not a would-be name (地域医療支援事業)."""
    toks = tokens.tokens
    if end + 1 >= len(toks) or toks[end].surface not in {"を", "が", "と", "に"}:
        return False
    verb = toks[end + 1]
    return verb.pos == "動詞" or (verb.pos3 == "サ変可能" and end + 2 < len(toks) and toks[end + 2].pos == "動詞")


def _referred(tokens: Tokens, tags: list[Tag], words: list[int]) -> bool:
    """Whether the run is followed by の and a noun standing for what it describes (高校生のヘルメット
    着用|の|やつ, …の件), and does not end as a name does (…事業のやつ is a would-be name)."""
    toks = tokens.tokens
    thing = {t.start for t in tags if t.kind == "generic" and t.value == "thing"}
    after = words[-1] + 1  # the run may hold the の and the noun itself (they are soft words)
    if not (after + 1 < len(toks) and toks[after].surface == "の" and after + 1 in thing):
        return False
    return not toks[words[-1]].key.endswith(NAME_ENDINGS)


def _by_words(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """Every word of a description (学生, 県内就職) in one text of a project (学生等の県内就職…)."""
    keys: list[str] = []
    for i in words:  # a suffix belongs to its word (高校|生 is one word, 高校生)
        t = tokens.tokens[i]
        if keys and t.pos == "接尾辞" and i - 1 in words:
            keys[-1] += t.key
        else:
            keys.append(t.key)
    if len(keys) < 2 or any(len(k) < 2 for k in keys):
        return []
    out = []
    for i in cat.projects_containing(max(keys, key=len)):
        p = cat.projects[i]
        if any(all(k in text for k in keys) for text in p.texts):
            out.append(p)
    return out


def _by_thing(cat: Catalogue, tokens: Tokens, words: list[int]) -> list[ProjectEntry]:
    """自転車ヘルメット: a thing in katakana (ヘルメット) in the project's texts, every other word in its name."""
    # A short Latin word (5G, DX) is no thing to look for in texts: like every other word, it must be
    # in the name (５Ｇ活用スマート農業 is not ＩｏＴ活用スマート農業, whose texts say スマート).
    thing = [_name_like(tokens.tokens[i].surface) and len(tokens.tokens[i].key) >= 3 for i in words]
    things = [tokens.tokens[i].key for i, t in zip(words, thing, strict=True) if t]
    others = [tokens.tokens[i].key for i, t in zip(words, thing, strict=True) if not t]
    if not things or not others:
        return []
    named = cat.projects_named_with(max(others, key=len), limit=THING_LIMIT)
    if len(named) > THING_LIMIT:
        return []
    out = []
    for i in named:
        p = cat.projects[i]
        name = p.text.split("|", 1)[0]
        # A thing the name itself holds is no thing of the texts: …デジタルファクトリー横事業実証 is a name
        # with a word put in, not the 5G project's texts described.
        outside = [t for t in things if t not in name]
        if outside and all(o in name for o in others) and all(t in p.text or t in p.earlier for t in outside):
            out.append(p)
    return out
