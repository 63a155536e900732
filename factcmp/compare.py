"""Compare each claim across its sources: who carries it, who is silent, what differs."""

from __future__ import annotations

from collections.abc import Sequence

from .details import extract_details
from .types import Article, Claim, Detail, DetailDiff, DetailKind, Finding, Sentence, Verdict


def _values_by_article(
    claim: Claim, sentences: dict[str, Sentence], details: dict[str, tuple[Detail, ...]]
) -> dict[DetailKind, dict[str, set[str]]]:
    by_kind: dict[DetailKind, dict[str, set[str]]] = {}
    for sid in claim.members:
        article = sentences[sid].article_id
        for detail in details[sid]:
            by_kind.setdefault(detail.kind, {}).setdefault(article, set()).add(detail.value)
    return by_kind


def verdict_for(
    articles: Sequence[str], by_kind: dict[DetailKind, dict[str, set[str]]]
) -> tuple[Verdict, tuple[DetailDiff, ...]]:
    """The verdict on one claim from the details each of its articles states.

    - ``unique``: one article carries the claim.
    - ``differ``: two articles state the same kind of detail with no value in common.
    - ``partial``: no such clash, but some detail is stated by only some of the articles.
    - ``agree``: every detail is stated alike by every article (or none states any).
    """
    if len(articles) < 2:
        return "unique", ()
    diffs: list[DetailDiff] = []
    one_sided = False
    for kind in sorted(by_kind):
        per_article = by_kind[kind]
        if len(per_article) < len(articles):
            one_sided = True
        stated = sorted(per_article)
        clash = any(
            not per_article[a] & per_article[b]
            for i, a in enumerate(stated)
            for b in stated[i + 1 :]
        )
        if clash:
            diffs.append(
                DetailDiff(kind=kind, values={a: tuple(sorted(per_article[a])) for a in stated})
            )
        elif any(per_article[a] != per_article[stated[0]] for a in stated):
            one_sided = True
    if diffs:
        return "differ", tuple(diffs)
    return ("partial" if one_sided else "agree"), ()


def compare(
    articles: Sequence[Article], sentences: Sequence[Sentence], claims: Sequence[Claim]
) -> list[Finding]:
    """One :class:`Finding` per claim, in the order of ``claims``."""
    by_id = {s.id: s for s in sentences}
    details = {s.id: extract_details(s.text) for s in sentences}
    order = [a.id for a in articles]
    findings = []
    for claim in claims:
        carrying = {by_id[sid].article_id for sid in claim.members}
        carried = tuple(a for a in order if a in carrying)
        verdict, diffs = verdict_for(carried, _values_by_article(claim, by_id, details))
        findings.append(
            Finding(
                claim=claim,
                articles=carried,
                silent=tuple(a for a in order if a not in carrying),
                verdict=verdict,
                differences=diffs,
                details={sid: details[sid] for sid in claim.members},
            )
        )
    return findings
