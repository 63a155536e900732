"""Turn a :class:`Report` into JSON (the documented schema) and back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, cast

from .. import __version__
from ..align import evidence
from ..errors import SchemaError
from ..types import (
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Link,
    QueryResult,
    Report,
    Sentence,
    TimelineEntry,
)
from .schema import (
    READABLE_MAJORS,
    SCHEMA_VERSION,
    ArticleDict,
    ClaimDict,
    QueryReportDict,
    ReportDict,
)


def article_dict(a: Article) -> ArticleDict:
    return {
        "id": a.id,
        "path": a.path,
        "lang": a.lang,
        "date": a.date,
        "title": a.title,
        "source": a.source,
    }


def _claim_dict(f: Finding, dates: dict[str, str | None]) -> ClaimDict:
    """One claim: no list of silent articles and no sentence text (schema 2.0), so that the
    document grows with the input rather than with claims x articles."""
    return {
        "id": f.claim.id,
        "sentences": list(f.claim.members),
        "articles": list(f.articles),
        "possibly": [
            {
                "article": p.b.rsplit(":", 1)[0],
                "sentence": p.b,
                "score": p.score,
                "member": p.a,
            }
            for p in f.claim.possible
            if p.b.rsplit(":", 1)[0] in f.possibly
        ],
        "verdict": f.verdict,
        "details": [
            {
                "sentence": sid,
                "kind": d.kind,
                "value": d.value,
                "text": d.text,
                "start": d.start,
                "end": d.end,
                "unit": d.unit,
                "note": d.note,
            }
            for sid in f.claim.members
            for d in f.details.get(sid, ())
        ],
        "differences": [
            {
                "kind": d.kind,
                "unit": d.unit,
                "values": {a: list(v) for a, v in d.values.items()},
                "texts": {a: list(v) for a, v in d.texts.items()},
            }
            for d in f.differences
        ],
        "links": [{"a": l.a, "b": l.b, "score": l.score} for l in f.claim.links],
        "first_seen": (
            {"article": f.first_seen, "date": dates.get(f.first_seen)} if f.first_seen else None
        ),
        "evidence": evidence(f.claim),
    }


def to_dict(report: Report) -> ReportDict:
    """The report as plain JSON-ready data (see ``schema.ReportDict``)."""
    dates = {a.id: a.date for a in report.articles}
    return {
        "schema_version": SCHEMA_VERSION,
        "factcmp_version": __version__,
        "model": report.model_id,
        "settings": dict(sorted(report.settings.items())),
        "articles": [article_dict(a) for a in report.articles],
        "sentences": [
            {
                "id": s.id,
                "article": s.article_id,
                "index": s.index,
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "kind": s.kind,
            }
            for s in report.sentences
        ],
        "claims": [_claim_dict(f, dates) for f in report.findings],
        "timeline": [
            {
                "article": t.article,
                "date": t.date,
                "claims": list(t.claims),
                "new_claims": list(t.new_claims),
            }
            for t in report.timeline
        ],
    }


def check_version(data: dict[str, Any]) -> None:
    """Raise :class:`SchemaError` unless ``data`` has a schema version this code reads."""
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] not in READABLE_MAJORS:
        majors = " and ".join(f"{m}.x" for m in READABLE_MAJORS)
        raise SchemaError(
            f"schema_version {version or '(missing)'!r} cannot be read by factcmp {__version__}, "
            f"which reads {majors} (current {SCHEMA_VERSION})"
        )


def from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a :class:`Report` from :func:`to_dict` output, of this or an older version.

    A claim's silent articles are derived (the articles that neither state nor possibly state
    it), whatever the file: 2.x files do not list them, a 1.x file's list says the same, and a
    1.2 file has no ``possibly`` (every article outside a claim is silent).

    Raises:
        SchemaError: an unknown major schema version, or a missing key.
    """
    check_version(data)
    try:
        articles = tuple(
            Article(
                id=a["id"],
                path=a["path"],
                lang=a["lang"],
                text="",
                date=a["date"],
                title=a["title"],
                source=a["source"],
            )
            for a in data["articles"]
        )
        sentences = tuple(
            Sentence(
                article_id=s["article"],
                index=s["index"],
                text=s["text"],
                start=s["start"],
                end=s["end"],
                kind=s["kind"],
            )
            for s in data["sentences"]
        )
        order = [a.id for a in articles]
        findings = []
        for c in data["claims"]:
            details: dict[str, list[Detail]] = {sid: [] for sid in c["sentences"]}
            for d in c["details"]:
                details[d["sentence"]].append(
                    Detail(
                        d["kind"],
                        d["value"],
                        d["text"],
                        d["start"],
                        d["end"],
                        d.get("unit"),
                        d.get("note"),
                    )
                )
            first = c.get("first_seen")
            possibly = c.get("possibly", [])
            findings.append(
                Finding(
                    claim=Claim(
                        id=c["id"],
                        members=tuple(c["sentences"]),
                        links=tuple(Link(l["a"], l["b"], l["score"]) for l in c["links"]),
                        possible=tuple(
                            Link(p["member"], p["sentence"], p["score"]) for p in possibly
                        ),
                    ),
                    articles=tuple(c["articles"]),
                    silent=_silent(order, c["articles"], possibly),
                    possibly=tuple(p["article"] for p in possibly),
                    verdict=c["verdict"],
                    differences=tuple(
                        DetailDiff(
                            kind=d["kind"],
                            values={a: tuple(v) for a, v in d["values"].items()},
                            unit=d.get("unit"),
                            texts={a: tuple(v) for a, v in d.get("texts", {}).items()},
                        )
                        for d in c["differences"]
                    ),
                    details={sid: tuple(v) for sid, v in details.items()},
                    first_seen=first["article"] if first else None,
                )
            )
        timeline = tuple(
            TimelineEntry(t["article"], t["date"], tuple(t["claims"]), tuple(t["new_claims"]))
            for t in data.get("timeline", [])
        )
        return Report(
            model_id=data["model"],
            settings=dict(data["settings"]),
            articles=articles,
            sentences=sentences,
            findings=tuple(findings),
            timeline=timeline,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise SchemaError(f"report JSON is missing or mistypes key {e}") from e


def _silent(
    order: Sequence[str], stating: Sequence[str], possibly: Sequence[dict[str, Any]]
) -> tuple[str, ...]:
    """The articles silent on a claim, in article order: neither stating nor possibly stating
    it (schema 2.0 leaves them out of the file)."""
    said = {*stating, *(p["article"] for p in possibly)}
    return tuple(a for a in order if a not in said)


def query_to_dict(
    result: QueryResult, articles: Sequence[Article], sentences: Sequence[Sentence], model_id: str
) -> QueryReportDict:
    """A query's answer as plain JSON-ready data (see ``schema.QueryReportDict``)."""
    text = {s.id: s.text for s in sentences}
    return {
        "schema_version": SCHEMA_VERSION,
        "factcmp_version": __version__,
        "model": model_id,
        "query": result.query,
        "articles": [article_dict(a) for a in articles],
        "results": [
            {
                "article": a.id,
                "silent": not result.hits[a.id],
                "hits": [
                    {"sentence": h.sentence, "text": text[h.sentence], "score": h.score}
                    for h in result.hits[a.id]
                ],
            }
            for a in articles
        ],
    }


def iter_json(data: ReportDict | QueryReportDict) -> Iterator[str]:
    """Deterministic JSON text in small pieces: keys in schema order, UTF-8 kept, a final
    newline. Writing the pieces as they come keeps memory flat for very large reports."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False)
    yield from encoder.iterencode(cast(dict[str, Any], data))
    yield "\n"


def dumps(data: ReportDict | QueryReportDict) -> str:
    """The whole of :func:`iter_json` as one string."""
    return "".join(iter_json(data))
