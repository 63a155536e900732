"""Turn a :class:`Report` into JSON (the documented schema) and back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from . import __version__
from .errors import SchemaError
from .schema import SCHEMA_VERSION, ArticleDict, ClaimDict, QueryReportDict, ReportDict
from .types import (
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Link,
    QueryResult,
    Report,
    Sentence,
)


def article_dict(a: Article) -> ArticleDict:
    return {"id": a.id, "path": a.path, "lang": a.lang, "date": a.date, "title": a.title, "source": a.source}


def _claim_dict(f: Finding) -> ClaimDict:
    return {
        "id": f.claim.id,
        "sentences": list(f.claim.members),
        "articles": list(f.articles),
        "silent": list(f.silent),
        "verdict": f.verdict,
        "details": [
            {"sentence": sid, "kind": d.kind, "value": d.value, "text": d.text, "start": d.start, "end": d.end}
            for sid in f.claim.members
            for d in f.details.get(sid, ())
        ],
        "differences": [
            {"kind": d.kind, "values": {a: list(v) for a, v in d.values.items()}} for d in f.differences
        ],
        "links": [{"a": l.a, "b": l.b, "score": l.score} for l in f.claim.links],
    }


def to_dict(report: Report) -> ReportDict:
    """The report as plain JSON-ready data (see ``schema.ReportDict``)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "factcmp_version": __version__,
        "model": report.model_id,
        "settings": dict(sorted(report.settings.items())),
        "articles": [article_dict(a) for a in report.articles],
        "sentences": [
            {"id": s.id, "article": s.article_id, "index": s.index, "text": s.text, "start": s.start, "end": s.end, "kind": s.kind}
            for s in report.sentences
        ],
        "claims": [_claim_dict(f) for f in report.findings],
    }


def check_version(data: dict[str, Any]) -> None:
    """Raise :class:`SchemaError` unless ``data`` has a schema version this code reads."""
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise SchemaError(
            f"schema_version {version or '(missing)'!r} cannot be read by factcmp {__version__}, "
            f"which reads {SCHEMA_VERSION.split('.')[0]}.x (current {SCHEMA_VERSION})"
        )


def from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a :class:`Report` from :func:`to_dict` output.

    Raises:
        SchemaError: an unknown major schema version, or a missing key.
    """
    check_version(data)
    try:
        articles = tuple(
            Article(id=a["id"], path=a["path"], lang=a["lang"], text="", date=a["date"], title=a["title"], source=a["source"])
            for a in data["articles"]
        )
        sentences = tuple(
            Sentence(article_id=s["article"], index=s["index"], text=s["text"], start=s["start"], end=s["end"], kind=s["kind"])
            for s in data["sentences"]
        )
        findings = []
        for c in data["claims"]:
            details: dict[str, list[Detail]] = {sid: [] for sid in c["sentences"]}
            for d in c["details"]:
                details[d["sentence"]].append(Detail(d["kind"], d["value"], d["text"], d["start"], d["end"]))
            findings.append(
                Finding(
                    claim=Claim(
                        id=c["id"],
                        members=tuple(c["sentences"]),
                        links=tuple(Link(l["a"], l["b"], l["score"]) for l in c["links"]),
                    ),
                    articles=tuple(c["articles"]),
                    silent=tuple(c["silent"]),
                    verdict=c["verdict"],
                    differences=tuple(
                        DetailDiff(kind=d["kind"], values={a: tuple(v) for a, v in d["values"].items()})
                        for d in c["differences"]
                    ),
                    details={sid: tuple(v) for sid, v in details.items()},
                )
            )
    except (KeyError, TypeError) as e:
        raise SchemaError(f"report JSON is missing or mistypes key {e}") from e
    return Report(
        model_id=data["model"],
        settings=dict(data["settings"]),
        articles=articles,
        sentences=sentences,
        findings=tuple(findings),
    )


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
                "hits": [{"sentence": h.sentence, "text": text[h.sentence], "score": h.score} for h in result.hits[a.id]],
            }
            for a in articles
        ],
    }


def dumps(data: ReportDict | QueryReportDict) -> str:
    """Deterministic JSON text: keys in schema order, UTF-8 kept, a final newline."""
    return json.dumps(cast(dict[str, Any], data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
