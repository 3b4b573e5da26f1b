"""An issuer's option lists (今後の方針, 事業の評価, KPI達成への有効性) and how typed wording finds an option.

Sheets write the same option many ways: ①拡充 / 拡充 / 1.拡充, 有効とは言えない / 有効とはいえなかった /
有効ではなかった, 地方創生に効果がなかった / 地方創生に対して効果がなかった, with or without the
（本事業が地方版） qualifier. Rather than listing variants, both the option and the input are folded
to one key (``option_key``): width and circled numbers (NFKC), no spaces, no bracketed qualifiers,
no leading number, に対して as に, and the endings of one conjugation family to one form
(言えない・いえなかった・ではなかった・でなかった → でない; あった → ある; であった・だった → である).
An input names an option when its key is the option's key, or the end of exactly one option's key
(有効であった for 総合戦略のKPI達成に有効であった), or ends with exactly one option's key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from store import values


@dataclass(frozen=True)
class Choice:
    code: str  # ①, or "" when the issuer numbers nothing
    label: str  # 拡充
    aliases: tuple[str, ...] = ()  # other words for the same option (発展)

    @property
    def display(self) -> str:
        return f"{self.code}{self.label}"


def circled(n: int) -> str:
    return values.CIRCLED[n - 1] if 1 <= n <= len(values.CIRCLED) else f"{n}."


def parse_choice(text: str, position: int) -> Choice:
    """「①拡充」 -> Choice("①", "拡充"); 「拡充」 -> Choice("①" for the first position, "拡充")."""
    text = values.clean(text)
    if text and text[0] in values.CIRCLED:
        return Choice(text[0], text[1:].strip())
    return Choice(circled(position + 1), text)


@dataclass(frozen=True)
class IssuerOptions:
    """The three option lists of one issuer. ``evaluation[n - 1]`` is 事業の評価 n (1..4);
    ``kpi_effective`` is (effective, not effective)."""

    policy: tuple[Choice, ...]
    evaluation: tuple[str, ...] = tuple(values.EVALUATION_LABELS.values())
    kpi_effective: tuple[str, str] = ("総合戦略のKPI達成に有効であった", "総合戦略のKPI達成に有効とは言えない")

    @cached_property
    def _policy_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple((c.label, c.display, *c.aliases) for c in self.policy)

    @cached_property
    def _policy_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.policy)

    @cached_property
    def _evaluation_codes(self) -> tuple[str, ...]:
        return tuple(circled(n) for n in range(1, len(self.evaluation) + 1))

    @cached_property
    def _evaluation_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple((label,) for label in self.evaluation)

    @cached_property
    def _kpi_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple((label,) for label in self.kpi_effective)

    def policy_label(self, text: object) -> str:
        """The canonical 今後の方針 label the text names; ValueError (Japanese) otherwise."""
        raw = values.clean(text)
        if not raw:
            return ""
        found = match(raw, self._policy_words, self._policy_codes)
        if found is None:
            choices = "、".join(c.display for c in self.policy) or "（選択肢が登録されていません）"
            raise ValueError(f"選択肢にありません（{choices}）")
        return self.policy[found].label

    def evaluation_number(self, text: object) -> int | None:
        raw = values.clean(text)
        if not raw:
            return None
        codes = self._evaluation_codes
        found = match(raw, self._evaluation_words, codes)
        if found is None:
            choices = "、".join(f"{c}{label}" for c, label in zip(codes, self.evaluation, strict=True))
            raise ValueError(f"事業の評価は次のいずれかで入力してください（{choices}）")
        return found + 1

    def kpi_effective_value(self, text: object) -> bool | None:
        raw = values.clean(text)
        if not raw:
            return None
        literal = raw.lower()
        if literal in {"true", "はい", "有効"}:
            return True
        if literal in {"false", "いいえ", "無効"}:
            return False
        found = match(raw, self._kpi_words, ())
        if found is None:
            raise ValueError(
                f"KPI達成への有効性は「{self.kpi_effective[0]}」か「{self.kpi_effective[1]}」で入力してください"
            )
        return found == 0


# The national format (内閣府の様式), for an issuer that has registered nothing of its own.
NATIONAL_POLICY: tuple[Choice, ...] = (
    Choice("①", "拡充", ("発展",)),
    Choice("②", "継続"),
    Choice("③", "改善", ("見直し",)),
    Choice("④", "縮小"),
    Choice("⑤", "中止"),
    Choice("⑥", "終了"),
)
NATIONAL = IssuerOptions(policy=NATIONAL_POLICY)


_QUALIFIERS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|［[^］]*］|〈[^〉]*〉")
_QUOTES = str.maketrans("", "", "「」『』\"'“”‘’・")
_LEADING_NUMBER = re.compile(r"^\d+[.．、,:：)\]]?")
_ENDINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:とは|とも|は)?(?:言|い)え(?:ない|なかった|ません(?:でした)?)$"), "でない"),
    (re.compile(r"(?:では|で|じゃ)(?:ない|なかった|ありません(?:でした)?)$"), "でない"),
    (re.compile(r"が(?:ない|なかった|ありません(?:でした)?)$"), "がない"),
    (re.compile(r"が(?:ある|あった|あります|ありました)$"), "がある"),
    (re.compile(r"(?:であった|である|だった|でした|です)$"), "である"),
)


@lru_cache(maxsize=4096)
def option_key(text: str) -> str:
    """The folded form two wordings of one option share (see the module docstring)."""
    key = unicodedata.normalize("NFKC", text).lower()
    key = re.sub(r"\s+", "", key)
    key = _QUALIFIERS.sub("", key).translate(_QUOTES)
    key = _LEADING_NUMBER.sub("", key).rstrip("。.")
    key = key.replace("に対して", "に").replace("に対し", "に")
    for pattern, canonical in _ENDINGS:
        key, n = pattern.subn(canonical, key)
        if n:
            break
    return key


def _number(text: str) -> str | None:
    """「③」「3」「(3)」 alone -> "3": the input is only an option's number."""
    folded = re.sub(r"[\s()（）.．]", "", unicodedata.normalize("NFKC", text))
    return folded if folded.isdigit() else None


@lru_cache(maxsize=4096)
def match(text: str, options: tuple[tuple[str, ...], ...], codes: tuple[str, ...]) -> int | None:
    """The index of the one option (given by its wordings) that ``text`` names, or None (memoized:
    a sheet repeats a handful of wordings over thousands of rows)."""
    number = _number(text)
    if number is not None:
        by_code = [i for i, c in enumerate(codes) if c and unicodedata.normalize("NFKC", c).strip(".") == number]
        return by_code[0] if len(by_code) == 1 else None
    key = option_key(text)
    if not key:
        return None
    keys = [{option_key(w) for w in words} - {""} for words in options]
    exact = [i for i, ks in enumerate(keys) if key in ks]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    if len(key) >= 2:
        tail = [i for i, ks in enumerate(keys) if any(k.endswith(key) for k in ks)]
        if len(tail) == 1:
            return tail[0]
        if tail:
            return None
    longer = [i for i, ks in enumerate(keys) if any(len(k) >= 2 and key.endswith(k) for k in ks)]
    return longer[0] if len(longer) == 1 else None


@dataclass
class OptionsSpec:
    """Option lists as given by a person (TOML file or CLI), before they become an IssuerOptions."""

    policy: list[Choice] = field(default_factory=list)
    evaluation: list[str] = field(default_factory=list)
    kpi_effective: list[str] = field(default_factory=list)
