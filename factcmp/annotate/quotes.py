"""Quotes and who they are attributed to.

Quoted words are found between “…”, „…“, „…”, »…«, "…" (and «…»). The speaker is found
simply: the name next to an attribution verb just after the quote ("…,” sacīja Kims",
"…," je pojasnil Putin", "…” skrifaði Pútín"), else the name just before an attribution verb
that introduces the quote ("Putins paziņoja, ka “…”"), else the sentence's first name before
the quote. Limits: a pronoun or a dropped subject ("je dodal", "viņš piebilda") gives no
speaker (``None``), even when the previous sentence names one; a quote spanning sentences
is seen per sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import NameMention

_QUOTES = re.compile(
    r"“([^”“]{2,})[”“]|„([^“”„]{2,})[“”]|»([^«»]{2,})«|«([^«»]{2,})»|\"([^\"]{2,})\""
)
# Attribution verbs (past and present forms), lv / sl / is / en.
_VERBS = (
    r"sacīja|teica|pavēstīja|piebilda|paziņoja|atbildēja|norādīja|uzsvēra|solīja|apsolīja|"
    r"uzslavēja|slavināja|rakstīja|sacījis|"
    r"dejal[ao]?|dodal[ao]?|pojasnil[ao]?|poudaril[ao]?|izjavil[ao]?|opozoril[ao]?|dejal|"
    r"pravi|je\s+dejal|zapisal[ao]?|pohvalil[ao]?|označil[ao]?|napovedal[ao]?|"
    r"sagði|skrifaði|bætti|sögðu|hrósaði|þakkaði|"
    r"said|says|added|wrote|told|stressed|praised"
)
_PRONOUNS = r"viņš|viņa|on|ona|hann|hún|he|she"


@dataclass(frozen=True, slots=True)
class QuoteMention:
    """Quoted words ``text[start:end]`` (inside the marks) and the speaker's entity id, if
    found, with the speaker's words ``text[speaker_start:speaker_end]``."""

    start: int
    end: int
    speaker: str | None
    speaker_start: int | None = None
    speaker_end: int | None = None


def _persons(names: list[NameMention]) -> list[NameMention]:
    return [n for n in names if n.type in ("person", "other")]


def _first(names: list[NameMention]) -> NameMention | None:
    """The first known person, else the first unknown name (subject-first word order)."""
    known = [n for n in names if n.type == "person"]
    return (known or names)[0] if names else None


def find_quotes(text: str, names: list[NameMention]) -> list[QuoteMention]:
    """Quotes in ``text`` with their speakers, using the names found in the same text."""
    found: list[QuoteMention] = []
    persons = _persons(names)
    matches = list(_QUOTES.finditer(text))
    for n, m in enumerate(matches):
        group = next(g for g in range(1, 6) if m.group(g) is not None)
        start, end = m.start(group), m.end(group)
        if len(m.group(group).split()) < 2 and not re.search(r"[.,!?]$", m.group(group)):
            continue  # a one-word “Vostočnij” is a name, not a quote
        nxt = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        speaker: NameMention | None = None
        # 1. After the quote: a verb then a name within a few words ("…,” sacīja Kims").
        after = text[m.end() : nxt]
        verb = re.search(r"(?<![\w-])(?:" + _VERBS + r")(?![\w-])", after[:80], re.IGNORECASE)
        if verb:
            verb_end = m.end() + verb.end()
            near = [p for p in persons if verb_end <= p.start <= verb_end + 25]
            if not near:
                near = [
                    p
                    for p in persons
                    if m.end() <= p.start < m.end() + verb.start() and p.end <= verb_end
                ]
            speaker = _first(near)
            if speaker is None and re.match(
                r"\s*(?:" + _PRONOUNS + r")\b", after[verb.end() :], re.IGNORECASE
            ):
                speaker = None
        # 2. Before the quote: "Putins paziņoja, ka “…”", else the first name before it.
        if speaker is None and not verb:
            before = text[: m.start()]
            intro = list(
                re.finditer(r"(?<![\w-])(?:" + _VERBS + r")(?![\w-])", before, re.IGNORECASE)
            )
            cands = [p for p in persons if p.end <= m.start()]
            if intro:
                at = intro[-1].start()
                left = [p for p in cands if p.end <= at]
                speaker = _first(left)
            else:
                speaker = _first(cands)
        found.append(
            QuoteMention(
                start,
                end,
                speaker.entity if speaker else None,
                speaker.start if speaker else None,
                speaker.end if speaker else None,
            )
        )
    return found
