"""Compare each claim across its sources: who states it, who possibly does, who is silent,
and what differs.

Three answers per article and claim. An article *states* a claim when one of its sentences
is a member; it *possibly* states it when the aligner found a close sentence of it that did
not become a link (``Claim.possible``: its best candidate scored between the possible bar
and the link bar); it is *silent* when no sentence of it comes close. The verdict is over the
articles that state the claim: a possible sentence is shown for the reader to judge and
never makes a claim partial or differ, since it may not state the claim at all.

"Possibly" grows with the input, not with claims x articles: a possible link is one of the
aligner's candidate pairs (a sentence among a member's 32 nearest in other articles, or one
sharing a rare name or number with it), one per (claim, article), so there are at most two
per candidate pair. A tighter rule, each sentence offered under one claim only (its best),
was measured and not taken: on the seed it lost 18 of the 31 true carriers that "possibly"
catches (silent precision 0.96 -> 0.90), while NTREX barely changed (566 -> 545 possibly).

Details are compared per *slot*: a kind of detail about one kind of thing. Dates form one
slot; amounts and ordinals one slot per unit ("quantity:year", "quantity:soldier",
"ordinal:visit"); persons one slot per family ("name:kim"); quotes one slot (their
speakers). Two sources *differ* only when both state a slot and no value of one is
compatible with any value of the other ("2000" is compatible with "2000-07"; 2000-9999
soldiers with 10 000 soldiers; "Kim" with "Kim Jong-il", but "Kim Jong-un" not with "Kim
Jong-il"). In a slot, amounts and ordinals without a unit never differ (24 what?), and a
date stated as a start ("since 2006") is not held against the date of an event ("in
February 2022"). Names and quotes never make a claim *partial*: which names a sentence
spells out, or whether it quotes or paraphrases, is wording, not a detail withheld.

Beside the slots, the numbers of two sources are compared as a whole
(:func:`factcmp.numbers.number_clashes`), and a name one source swapped for another is found
by :func:`factcmp.names.name_swaps`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from ..annotate.dates import dates_compatible, parse_article_date
from ..annotate.names import NAME_WITNESSES, name_swaps, names_compatible
from ..annotate.numbers import number_clashes, number_text
from ..annotate.quantities import amounts_compatible
from ..types import (
    Annotation,
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Link,
    Number,
    Sentence,
    TimelineEntry,
    Verdict,
)


def slot(detail: Detail) -> str | None:
    """The comparison slot of a detail ("date", "quantity:year", "name:kim"), or None when
    the detail is shown but not compared (places, organisations, persons without a family)."""
    if detail.kind in ("quantity", "ordinal"):
        return f"{detail.kind}:{detail.unit}" if detail.unit else detail.kind
    if detail.kind == "name":
        return f"name:{detail.note}" if detail.unit == "person" and detail.note else None
    return detail.kind


# A date "since" 2006 states when a state began; it is compared with other "since" and
# "ago" dates, never with the date of an event ("in February 2022"), which may be another's.
_UNCOMPARABLE_ROLES = {
    frozenset({"since", "absolute"}),
    frozenset({"since", "relative"}),
    frozenset({"since", "weekday"}),
}


def _role(value: str) -> tuple[str, str]:
    plain, _, role = value.partition("@")
    return plain, role


def _comparable(kind: str, a: str, b: str) -> bool:
    if kind != "date":
        return True
    return frozenset({_role(a)[1], _role(b)[1]}) not in _UNCOMPARABLE_ROLES


def _compatible(kind: str, a: str, b: str, unit: str | None = None) -> bool:
    a, b = _role(a)[0], _role(b)[0]
    if kind == "date":
        return dates_compatible(a, b)
    if kind in ("quantity", "ordinal", "number"):
        return amounts_compatible(a, b, unit)
    if kind == "name":
        return names_compatible(a, b)
    if kind == "quote":
        return "?" in (a, b) or names_compatible(a, b)
    return a == b


def _covers(kind: str, a: set[str], b: set[str], unit: str | None = None) -> bool:
    """Every value of ``a`` has a compatible value in ``b``."""
    return all(any(_compatible(kind, x, y, unit) for y in b) for x in a)


def _ordered_clash(kind: str, unit: str | None, a: list[str], b: list[str]) -> bool:
    """Two sentences that list the same number (2+) of one slot's values, in order ("38 and
    48 percent" / "77 and 48 percent"), clash when a value differs at its place."""
    if len(a) != len(b) or len(a) < 2:
        return False
    if _covers(kind, set(a), set(b), unit) and _covers(kind, set(b), set(a), unit):
        return False
    return any(
        not _compatible(kind, x, y, unit) and _comparable(kind, x, y)
        for x, y in zip(a, b, strict=True)
    )


def verdict_for(
    articles: Sequence[str],
    by_kind: dict[str, dict[str, set[str]]],
    ordered: dict[str, dict[str, list[str]]] | None = None,
) -> tuple[Verdict, tuple[DetailDiff, ...]]:
    """The verdict on one claim from the details each of its articles states, per slot.

    - ``unique``: one article carries the claim.
    - ``differ``: two articles state the same slot with no compatible values.
    - ``partial``: no such clash, but some detail is stated by only some of the articles.
    - ``agree``: every detail is stated alike by every article (or none states any).

    ``ordered`` optionally gives, per slot, the values of articles that carry the claim in
    one sentence, in sentence order (see :func:`_ordered_clash`).
    """
    if len(articles) < 2:
        return "unique", ()
    diffs: list[DetailDiff] = []
    one_sided = False
    for key in sorted(by_kind):
        kind, _, unit = key.partition(":")
        per_article = by_kind[key]
        stated = sorted(per_article)
        can_differ = not (kind in ("quantity", "ordinal") and not unit)
        can_be_partial = kind not in ("name", "quote")
        clash = can_differ and any(
            not any(_compatible(kind, x, y, unit) for x in per_article[a] for y in per_article[b])
            and any(_comparable(kind, x, y) for x in per_article[a] for y in per_article[b])
            for i, a in enumerate(stated)
            for b in stated[i + 1 :]
        )
        lists = (ordered or {}).get(key, {})
        clash = (
            clash
            or can_differ
            and any(
                _ordered_clash(kind, unit or None, lists[a], lists[b])
                for i, a in enumerate(stated)
                for b in stated[i + 1 :]
                if a in lists and b in lists
            )
        )
        if clash:
            diffs.append(
                DetailDiff(
                    kind=kind,  # type: ignore[arg-type]
                    values={
                        a: tuple(sorted({_role(v)[0] for v in per_article[a]})) for a in stated
                    },
                    unit=unit or None,
                )
            )
        elif can_be_partial and (
            len(per_article) < len(articles)
            or not all(
                _covers(kind, per_article[a], per_article[b], unit) for a in stated for b in stated
            )
        ):
            one_sided = True
    if diffs:
        return "differ", tuple(diffs)
    return ("partial" if one_sided else "agree"), ()


Answer = Literal["states", "possibly", "silent"]
"""What a finding says of one article: it states the claim, possibly states it, or is silent."""


def answer(finding: Finding, article: str) -> Answer:
    """The answer ``finding`` gives for ``article`` (an article it does not name is silent)."""
    if article in finding.articles:
        return "states"
    return "possibly" if article in finding.possibly else "silent"


def possible_links(claim: Claim, carrying: set[str], order: Sequence[str]) -> tuple[Link, ...]:
    """The claim's possible links to articles that do not state it, one per article (its best
    score; the first on a tie), in article order. ``order`` lists every article id."""
    known = set(order)
    best: dict[str, Link] = {}
    for link in claim.possible:
        article = _article_of(link.b)
        if article in carrying or article not in known:
            continue
        if article not in best or link.score > best[article].score:
            best[article] = link
    return tuple(best[a] for a in order if a in best)


def _article_of(sid: str) -> str:
    return sid.rsplit(":", 1)[0]


def _sort_date(article: Article) -> tuple[int, int, int, int]:
    y, m, d = parse_article_date(article.date)
    return (0, y, m or 0, d or 0) if y is not None else (1, 0, 0, 0)


def compare(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    claims: Sequence[Claim],
    annotations: Sequence[Annotation],
) -> list[Finding]:
    """One :class:`Finding` per claim, in the order of ``claims``.

    Args:
        annotations: one per sentence (:func:`factcmp.annotate.annotate`), in the same order.
    """
    by_id = {s.id: s for s in sentences}
    meta = {a.id: a for a in articles}
    details = {s.id: a.details for s, a in zip(sentences, annotations, strict=True)}
    numbers_of = {s.id: a.numbers for s, a in zip(sentences, annotations, strict=True)}
    in_article: dict[str, list[Sentence]] = {a: [] for a in meta}
    for s in sentences:
        in_article[s.article_id].append(s)
    # Each article's names, once: a name swap looks for the name in the article's other sentences.
    article_names = {
        a: [(s.id, d) for s in own for d in details[s.id] if d.kind == "name"]
        for a, own in in_article.items()
    }
    order = [a.id for a in articles]
    chrono = sorted(articles, key=lambda a: (_sort_date(a), order.index(a.id)))
    findings = []
    for claim in claims:
        carrying = {by_id[sid].article_id for sid in claim.members}
        carried = tuple(a for a in order if a in carrying)
        members: dict[str, list[str]] = {a: [] for a in carried}
        for sid in claim.members:
            members[by_id[sid].article_id].append(sid)
        by_slot: dict[str, dict[str, set[str]]] = {}
        in_order: dict[str, dict[str, list[str]]] = {}
        words: dict[str, dict[str, list[str]]] = {}
        count = {a: sum(by_id[sid].article_id == a for sid in claim.members) for a in carrying}
        for sid in claim.members:
            carrier = by_id[sid].article_id
            for detail in details[sid]:
                key = slot(detail)
                if key is None:
                    continue
                value = f"{detail.value}@{detail.note}" if detail.kind == "date" else detail.value
                if detail.kind == "quote" and detail.note == "context":
                    value = "?"  # a speaker guessed from earlier sentences is shown, not compared
                by_slot.setdefault(key, {}).setdefault(carrier, set()).add(value)
                if count[carrier] == 1:
                    in_order.setdefault(key, {}).setdefault(carrier, []).append(value)
                said = words.setdefault(key, {}).setdefault(carrier, [])
                if detail.text not in said:
                    said.append(detail.text)
        verdict, diffs = verdict_for(carried, by_slot, in_order)
        if len(carried) > 1 and not any(d.kind in ("date", "quantity", "ordinal") for d in diffs):
            numbers: dict[str, list[Number]] = {
                a: [n for sid in members[a] for n in numbers_of[sid]]
                for a in carried
            }
            clashes = number_clashes(numbers)
            if clashes:
                verdict = "differ"
                diffs = (
                    *diffs,
                    DetailDiff(
                        kind="number",
                        values={
                            a: tuple(number_text(n) for n in clashes[a]) for a in carried if a in clashes
                        },
                        texts={
                            a: tuple(n.text for n in clashes[a]) for a in carried if a in clashes
                        },
                    ),
                )
        if len(carried) > NAME_WITNESSES and not any(d.kind == "name" for d in diffs):
            in_claim = set(claim.members)
            names = {
                a: [d for sid in members[a] for d in details[sid] if d.kind == "name"]
                for a in carried
            }
            elsewhere = {
                a: [d for sid, d in article_names[a] if sid not in in_claim] for a in carried
            }
            swapped = name_swaps(names, {a: meta[a].lang for a in carried}, elsewhere)
            if swapped:
                verdict = "differ"
                diffs = (
                    *diffs,
                    DetailDiff(
                        kind="name",
                        values={
                            a: tuple(d.value for d in swapped[a]) for a in carried if a in swapped
                        },
                        texts={
                            a: tuple(d.text for d in swapped[a]) for a in carried if a in swapped
                        },
                    ),
                )
        diffs = tuple(
            d
            if d.texts
            else dataclasses.replace(
                d,
                texts={
                    a: tuple(words[f"{d.kind}:{d.unit}" if d.unit else d.kind][a]) for a in d.values
                },
            )
            for d in diffs
        )
        first = next((a.id for a in chrono if a.id in carrying and a.date), None)
        possible = possible_links(claim, carrying, order)
        if possible != claim.possible:
            claim = dataclasses.replace(claim, possible=possible)
        possibly = tuple(_article_of(link.b) for link in possible)
        findings.append(
            Finding(
                claim=claim,
                articles=carried,
                possibly=possibly,
                silent=tuple(a for a in order if a not in carrying and a not in possibly),
                verdict=verdict,
                differences=diffs,
                details={sid: details[sid] for sid in claim.members},
                first_seen=first,
            )
        )
    return findings


def build_timeline(
    articles: Sequence[Article], findings: Sequence[Finding]
) -> tuple[TimelineEntry, ...]:
    """The articles in date order (undated last), each with the claims it carries and the
    claims it is the first (earliest dated) to carry."""
    order = [a.id for a in articles]
    chrono = sorted(articles, key=lambda a: (_sort_date(a), order.index(a.id)))
    return tuple(
        TimelineEntry(
            article=a.id,
            date=a.date,
            claims=tuple(f.claim.id for f in findings if a.id in f.articles),
            new_claims=tuple(f.claim.id for f in findings if f.first_seen == a.id),
        )
        for a in chrono
    )
