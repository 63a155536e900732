"""report: the JSON wire format against schema.py, round trips, versions, determinism."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from conftest import CORPUS, DATA, FakeEmbedder

import factcmp
from factcmp.config import Settings
from factcmp.errors import SchemaError
from factcmp.pipeline import compare_articles, query_articles
from factcmp.report.schema import SCHEMA_VERSION, QueryReportDict, ReportDict
from factcmp.report.serialize import dumps, from_dict, query_to_dict, to_dict
from factcmp.types import (
    Article,
    Claim,
    Detail,
    DetailDiff,
    Finding,
    Link,
    Report,
    Sentence,
    TimelineEntry,
    Verdict,
)

GOLDEN = DATA / "report_golden.json"


# --- a schema walker ---------------------------------------------------------------------------


def check_value(value: Any, tp: Any, where: str) -> None:
    """Assert that ``value`` has type ``tp``, recursing into TypedDicts, lists and dicts."""
    origin = get_origin(tp)
    if is_typeddict(tp):
        check_object(value, tp, where)
    elif origin is list:
        assert isinstance(value, list), where
        for n, item in enumerate(value):
            check_value(item, get_args(tp)[0], f"{where}[{n}]")
    elif origin is dict:
        assert isinstance(value, dict), where
        for key, item in value.items():
            assert isinstance(key, str), where
            check_value(item, get_args(tp)[1], f"{where}.{key}")
    elif origin in (Union, types.UnionType):
        errors = []
        for option in get_args(tp):
            try:
                check_value(value, option, where)
                return
            except AssertionError as e:
                errors.append(e)
        raise AssertionError(f"{where}: {value!r} is none of {tp}")
    elif origin is Literal:
        assert value in get_args(tp), where
    elif tp is object or tp is Any:
        return
    elif tp is type(None):
        assert value is None, where
    elif tp is float:
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where
    elif tp is int:
        assert isinstance(value, int) and not isinstance(value, bool), where
    else:
        assert isinstance(value, tp), f"{where}: {value!r} is not {tp}"


def check_object(obj: Any, td: Any, where: str) -> None:
    assert isinstance(obj, dict), f"{where} is not an object"
    hints = get_type_hints(td)
    missing = td.__required_keys__ - set(obj)
    assert not missing, f"{where} ({td.__name__}) lacks {sorted(missing)}"
    extra = set(obj) - set(hints)
    assert not extra, f"{where} ({td.__name__}) has undocumented keys {sorted(extra)}"
    for key, value in obj.items():
        check_value(value, hints[key], f"{where}.{key}")


# --- reports -------------------------------------------------------------------------------


def hand_made_report() -> Report:
    """A small report built by hand: one shared claim that differs, one unique sentence that
    the other article possibly states."""
    articles = (
        Article(
            id="a", path="a.txt", lang="lv", text="", date="2024-06", title="Virsraksts",
            source="x.lv",
        ),
        Article(id="b", path="b.txt", lang="sl", text="", date=None, title=None, source=None),
    )
    sentences = (
        Sentence("a", 0, "Putins Phenjanā bija 2000.gadā.", 0, 31),
        Sentence("a", 1, "Kims sagaidīja Putinu", 33, 54, kind="heading"),
        Sentence("b", 0, "Putin je bil v Pjongjangu leta 2001.", 0, 36),
    )
    d_a = (
        Detail("name", "putin", "Putins", 0, 6, "person"),
        Detail("name", "pyongyang", "Phenjanā", 7, 15, "place"),
        Detail("date", "2000", "2000.gadā", 21, 30, None, "absolute"),
    )
    d_b = (Detail("date", "2001", "leta 2001", 26, 35, None, "absolute"),)
    findings = (
        Finding(
            claim=Claim("c1", ("a:0", "b:0"), (Link("a:0", "b:0", 1.2345),)),
            articles=("a", "b"),
            silent=(),
            verdict="differ",
            differences=(
                DetailDiff(
                    "date", {"a": ("2000",), "b": ("2001",)},
                    texts={"a": ("2000.gadā",), "b": ("leta 2001",)},
                ),
            ),
            details={"a:0": d_a, "b:0": d_b},
            first_seen="a",
        ),
        Finding(
            # b's sentence of c1 is close to a's heading, not linked: b possibly states c2
            claim=Claim("c2", ("a:1",), (), possible=(Link("a:1", "b:0", 0.15),)),
            articles=("a",),
            possibly=("b",),
            silent=(),
            verdict="unique",
            differences=(),
            details={"a:1": ()},
            first_seen="a",
        ),
    )
    return Report(
        model_id="fake",
        settings={"model": "fake", "neighbours": 4, "link_threshold": 1.06},
        articles=articles,
        sentences=sentences,
        findings=findings,
        timeline=(
            TimelineEntry("a", "2024-06", ("c1", "c2"), ("c1", "c2")),
            TimelineEntry("b", None, ("c1",), ()),
        ),
    )


@pytest.fixture(scope="module")
def pipeline_report() -> Report:
    return compare_articles([CORPUS, DATA / "tiny_lv.txt", DATA / "tiny_sl.txt"],
                            Settings(use_cache=False), embedder=FakeEmbedder())


def test_hand_made_report_matches_schema() -> None:
    data = to_dict(hand_made_report())
    check_object(data, ReportDict, "report")


def test_pipeline_report_matches_schema(pipeline_report: Report) -> None:
    data = json.loads(dumps(to_dict(pipeline_report)))
    check_object(data, ReportDict, "report")
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["factcmp_version"] == factcmp.__version__
    assert data["model"] == "fake"
    for claim in data["claims"]:
        assert claim["verdict"] in get_args(Verdict)


def test_report_reads_on_its_own(pipeline_report: Report) -> None:
    """Every id a claim names is defined in the report, with its text."""
    data = to_dict(pipeline_report)
    articles = {a["id"] for a in data["articles"]}
    sentences = {s["id"]: s for s in data["sentences"]}
    assert len(sentences) == len(data["sentences"])
    for s in data["sentences"]:
        assert s["id"] == f"{s['article']}:{s['index']}" and s["article"] in articles
    in_claims = [sid for c in data["claims"] for sid in c["sentences"]]
    assert sorted(in_claims) == sorted(sentences), "every sentence is in exactly one claim"
    for c in data["claims"]:
        possibly = [p["article"] for p in c["possibly"]]
        said = [*c["articles"], *possibly]
        assert len(said) == len(set(said)) and set(said) <= articles, "an answer per article"
        for p in c["possibly"]:
            assert p["member"] in c["sentences"] and p["sentence"] not in c["sentences"]
            assert sentences[p["sentence"]]["article"] == p["article"]
        assert set(c["articles"]) == {sentences[sid]["article"] for sid in c["sentences"]}
        for link in c["links"]:
            assert {link["a"], link["b"]} <= set(c["sentences"])
        for d in c["details"]:
            assert d["sentence"] in c["sentences"]
            assert sentences[d["sentence"]]["text"][d["start"] : d["end"]] == d["text"]
        if c["verdict"] == "differ":
            assert c["differences"]
        else:
            assert c["differences"] == []
        assert (c["verdict"] == "unique") == (len(c["articles"]) == 1)


def test_settings_hold_nothing_machine_specific(pipeline_report: Report) -> None:
    settings = to_dict(pipeline_report)["settings"]
    assert {"cache_dir", "device", "use_cache", "batch_size"}.isdisjoint(settings)
    assert settings["model"] == Settings().model


def test_golden_file() -> None:
    """The wire format of a hand-made report, byte for byte (version stamp aside).

    If this fails because the schema changed on purpose, bump SCHEMA_VERSION (minor for an
    added key, major for a renamed or removed one) and regenerate the file with
    FACTCMP_REGEN_GOLDEN=1.
    """
    text = dumps(to_dict(hand_made_report())).replace(
        f'"factcmp_version": "{factcmp.__version__}"', '"factcmp_version": "X"'
    )
    if os.environ.get("FACTCMP_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_golden_file_names_its_schema_version() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize("make", [hand_made_report, "pipeline"])
def test_round_trip(make: Any, pipeline_report: Report) -> None:
    report = pipeline_report if make == "pipeline" else make()
    data = to_dict(report)
    again = to_dict(from_dict(json.loads(dumps(data))))
    assert again == data
    back = from_dict(data)
    assert back.findings == report.findings
    assert back.sentences == report.sentences
    assert back.model_id == report.model_id
    assert back.articles == tuple(
        dataclasses.replace(a, text="", text_offset=0) for a in report.articles
    )


def test_dumps_is_plain_utf8_json_with_final_newline() -> None:
    text = dumps(to_dict(hand_made_report()))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "Phenjanā" in text  # not \u escapes
    assert list(json.loads(text)) == list(get_type_hints(ReportDict))  # keys in schema order


@pytest.mark.parametrize("version", ["3.0", "0.9", "10.1", "", "one"])
def test_unknown_major_version_is_refused(version: str) -> None:
    data = to_dict(hand_made_report())
    data["schema_version"] = version  # type: ignore[typeddict-item]
    with pytest.raises(SchemaError) as e:
        from_dict(data)  # type: ignore[arg-type]
    assert SCHEMA_VERSION in str(e.value)
    if version:
        assert repr(version) in str(e.value)


def test_missing_version_is_refused() -> None:
    data: dict[str, Any] = dict(to_dict(hand_made_report()))
    del data["schema_version"]
    with pytest.raises(SchemaError, match=r"\(missing\)"):
        from_dict(data)


def test_newer_minor_version_with_extra_keys_is_read() -> None:
    data: dict[str, Any] = json.loads(dumps(to_dict(hand_made_report())))
    major = SCHEMA_VERSION.split(".")[0]
    data["schema_version"] = f"{major}.99"
    data["added_later"] = {"x": 1}
    data["claims"][0]["added_later"] = True
    data["sentences"][0]["added_later"] = True
    report = from_dict(data)
    assert report.findings == hand_made_report().findings


@pytest.mark.parametrize(
    "key",
    [
        "articles",
        "sentences",
        "claims",
        "model",
        "settings",
    ],
)
def test_missing_key_is_a_schema_error(key: str) -> None:
    data: dict[str, Any] = json.loads(dumps(to_dict(hand_made_report())))
    del data[key]
    with pytest.raises(SchemaError, match=key):
        from_dict(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("claims",), "x"),
        (("articles",), None),
        (("claims", 0, "links"), [1]),
        (("claims", 1, "possibly"), [1]),
        (("claims", 1, "possibly", 0), {"article": "b", "sentence": "b:0"}),
    ],
)
def test_mistyped_value_is_a_schema_error(path: tuple[Any, ...], value: Any) -> None:
    data: Any = json.loads(dumps(to_dict(hand_made_report())))
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(SchemaError):
        from_dict(data)


def test_query_json_matches_schema() -> None:
    result, articles, sentences, emb = query_articles(
        "Putin Pyongyang 2000", [CORPUS], Settings(use_cache=False), embedder=FakeEmbedder()
    )
    data = json.loads(dumps(query_to_dict(result, articles, sentences, emb.model_id)))
    check_object(data, QueryReportDict, "query")
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["query"] == "Putin Pyongyang 2000"
    assert [r["article"] for r in data["results"]] == [a.id for a in articles]
    text = {s.id: s.text for s in sentences}
    for r in data["results"]:
        assert r["silent"] == (r["hits"] == [])
        for hit in r["hits"]:
            assert hit["sentence"].startswith(r["article"] + ":")
            assert text[hit["sentence"]] == hit["text"]


# --- determinism ---------------------------------------------------------------------------


def test_same_json_twice_in_one_process(tmp_path: Path) -> None:
    paths = [CORPUS, DATA / "tiny_lv.txt", DATA / "tiny_sl.txt"]
    runs = [
        dumps(to_dict(compare_articles(paths, Settings(use_cache=False), embedder=FakeEmbedder())))
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_cached_and_uncached_runs_give_the_same_json(tmp_path: Path) -> None:
    from factcmp.embed.cache import EmbeddingCache
    from factcmp.embed.model import CachedEmbedder

    paths = [CORPUS]
    uncached = compare_articles(paths, Settings(use_cache=False), embedder=FakeEmbedder())
    plain = dumps(to_dict(uncached))
    db = tmp_path / "e.sqlite3"
    cold = CachedEmbedder(FakeEmbedder(), EmbeddingCache(db))
    warm_inner = FakeEmbedder()
    first = dumps(to_dict(compare_articles(paths, Settings(use_cache=False), embedder=cold)))
    warm = CachedEmbedder(warm_inner, EmbeddingCache(db))
    second = dumps(to_dict(compare_articles(paths, Settings(use_cache=False), embedder=warm)))
    assert warm_inner.calls == []
    assert plain == first == second


_RUN = """
import sys
sys.path.insert(0, {tests!r})
from conftest import FakeEmbedder
from factcmp.config import Settings
from factcmp.pipeline import compare_articles
from factcmp.report.serialize import dumps, to_dict
report = compare_articles([{corpus!r}], Settings(use_cache=False), embedder=FakeEmbedder())
sys.stdout.write(dumps(to_dict(report)))
"""


def test_byte_identical_across_processes() -> None:
    """Set and dict order must not leak into the JSON: two hash seeds, the same bytes."""
    script = _RUN.format(tests=str(Path(__file__).parent), corpus=str(CORPUS))
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
        )
        for seed in ("1", "2")
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["schema_version"] == SCHEMA_VERSION



def _strict_loads(text: str) -> Any:
    """json.loads that refuses NaN and Infinity, which JSON (RFC 8259) does not have."""

    def refuse(constant: str) -> None:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def test_pipeline_json_is_strict(pipeline_report: Report) -> None:
    _strict_loads(dumps(to_dict(pipeline_report)))


def test_identical_articles_give_finite_scores_and_strict_json(tmp_path: Path) -> None:
    """Identical articles once made the margin divide by zero: score Infinity, bad JSON."""
    import warnings

    from conftest import article_text, write

    body = "Putin visited Pyongyang in 2024. Kim met him.\n"
    a = write(tmp_path / "a.txt", article_text("en", body))
    b = write(tmp_path / "b.txt", article_text("en", body))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's divide-by-zero reaches stderr
        report = compare_articles([a, b], Settings(use_cache=False), embedder=FakeEmbedder())
    scores = [link.score for f in report.findings for link in f.claim.links]
    assert all(math.isfinite(s) for s in scores), scores
    _strict_loads(dumps(to_dict(report)))


# --- states / possibly / silent: JSON 2.0 and the terminal report ------------------------------


def test_possibly_in_json() -> None:
    """A possibly entry names its sentence by id; the text is in ``sentences``, once."""
    (c1, c2) = to_dict(hand_made_report())["claims"]
    assert c1["possibly"] == []
    assert c2["possibly"] == [{"article": "b", "sentence": "b:0", "score": 0.15, "member": "a:1"}]


def test_claims_do_not_list_silent_articles() -> None:
    """Schema 2.0: a claim's silent articles are every article less those stating or possibly
    stating it; listing them made the document grow as claims x articles (issue 14 item 10)."""
    report = hand_made_report()
    c1 = dataclasses.replace(report.findings[0], articles=("a",), silent=("b", "c"))
    more = dataclasses.replace(
        report,
        articles=(*report.articles, dataclasses.replace(report.articles[1], id="c")),
        findings=(c1, dataclasses.replace(report.findings[1], silent=("c",))),
    )
    data = to_dict(more)
    assert all("silent" not in c for c in data["claims"])
    assert [f.silent for f in from_dict(data).findings] == [("b", "c"), ("c",)]


def _as_version(version: str) -> dict[str, Any]:
    """The hand-made report as an older file: 1.3 listed silent articles and possibly text."""
    data: dict[str, Any] = json.loads(dumps(to_dict(hand_made_report())))
    data["schema_version"] = version
    for c, f in zip(data["claims"], hand_made_report().findings, strict=True):
        c["silent"] = list(f.silent)
        for p in c["possibly"]:
            p["text"] = "Putin je bil v Pjongjangu leta 2001."
    return data


def test_schema_1_3_file_is_read() -> None:
    assert from_dict(_as_version("1.3")).findings == hand_made_report().findings


def test_older_minor_version_without_possibly_is_read() -> None:
    """A 1.2 file has no ``possibly``: every article outside a claim was silent."""
    data = _as_version("1.2")
    for c in data["claims"]:
        del c["possibly"]
    data["claims"][1]["silent"] = ["b"]
    report = from_dict(data)
    c2 = report.findings[1]
    assert c2.possibly == () and c2.claim.possible == () and c2.silent == ("b",)
    assert report.findings[0] == hand_made_report().findings[0]


def _rendered(report: Report) -> str:
    import io

    from rich.console import Console

    from factcmp.report.render import render_report

    out = io.StringIO()
    render_report(report, Console(file=out, width=80, color_system=None))
    return out.getvalue()


def test_coverage_matrix_shows_three_answers() -> None:
    out = _rendered(hand_made_report())
    assert "● states it  ◐ possibly: a close sentence, not linked (check it)  · silent" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    # columns: claim, A, B, verdict
    assert [cell.strip() for cell in rows["c1"].split("│")[2:4]] == ["●", "●"]
    assert [cell.strip() for cell in rows["c2"].split("│")[2:4]] == ["●", "◐"]
    assert max(len(line) for line in out.splitlines()) <= 80


def test_claim_block_shows_the_possible_sentence_with_its_score() -> None:
    out = _rendered(hand_made_report())
    block = out[out.index("c2 UNIQUE") :]
    head = block.splitlines()[0]
    assert "in A; possibly: B; silent: none" in head
    assert "B sl #0 (0.15 with A #1) possibly — check it" in block
    assert "Putin je bil v Pjongjangu leta 2001." in block


def test_a_claim_of_one_article_nobody_possibly_states_is_not_shown() -> None:
    report = hand_made_report()
    c2 = dataclasses.replace(
        report.findings[1],
        claim=dataclasses.replace(report.findings[1].claim, possible=()),
        possibly=(),
        silent=("b",),
    )
    out = _rendered(dataclasses.replace(report, findings=(report.findings[0], c2)))
    assert "c2" not in out.split("Timeline")[0]
    assert not any("◐" in line for line in out.splitlines() if "│" in line)


def test_legend_names_the_possible_bar_the_report_was_made_with() -> None:
    report = hand_made_report()
    assert "(scoring" not in _rendered(report)  # a report that does not record its bar
    barred = dataclasses.replace(report, settings={**report.settings, "possible_threshold": 0.2})
    assert "closest sentence (scoring 0.20 or more)" in " ".join(_rendered(barred).split())


def test_possibly_shared_claims_have_their_own_matrix_likeliest_first() -> None:
    from factcmp.report.render import possibly_shared

    report = hand_made_report()
    out = _rendered(report)
    shared_at, maybe_at = out.index("Coverage: claims stated by two"), out.index("Possibly shared")
    assert shared_at < out.index("│ c1 ") < maybe_at < out.index("│ c2 ")
    c2 = report.findings[1]

    def unique(cid: str, score: float) -> Finding:
        return dataclasses.replace(c2, claim=Claim(cid, ("a:1",), (), (Link("a:1", "b:0", score),)))

    low, high, tie = unique("c3", 0.1), unique("c4", 0.6), unique("c5", 0.1)
    ranked = possibly_shared([report.findings[0], low, high, tie])
    assert [f.claim.id for f in ranked] == ["c4", "c3", "c5"]


# --- many articles: a line per claim instead of a matrix -----------------------------------------


def _many_articles(folder: Path, n: int) -> Report:
    """``n`` articles in groups of three that share a sentence, each with one of its own."""
    from conftest import article_text, write

    words = [f"{a}{b}ovs" for a in "bdgkmprstv" for b in "aeiou"]
    for k in range(n):
        shared = " ".join(words[5 * (k // 3) + i] for i in range(5)).capitalize() + "."
        write(folder / f"{k:02d}.txt", article_text(("lv", "sl")[k % 2], f"{shared}\n\nMāja {k}.\n"))
    return compare_articles([folder], Settings(use_cache=False), embedder=FakeEmbedder(dim=4096))


def test_matrix_width_is_what_rich_draws() -> None:
    """``terminal_matrix_width`` is the matrix's exact width, so the terminal can tell whether it
    fits before drawing it."""
    import io

    from rich.console import Console

    from factcmp.report.coverage import labels, terminal_matrix_width
    from factcmp.report.render import coverage_table

    report = hand_made_report()
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(coverage_table(report, report.findings))
    widest = max(len(line) for line in out.getvalue().splitlines())
    ids = [f.claim.id for f in report.findings]
    verdicts = [f.verdict for f in report.findings]
    assert widest == terminal_matrix_width(ids, verdicts, labels(report.articles))


def test_too_many_articles_for_80_columns_get_a_line_per_claim(tmp_path: Path) -> None:
    report = _many_articles(tmp_path, 24)
    out = _rendered(report)
    assert "24 articles are too many for a matrix at 80 columns" in " ".join(out.split())
    assert max(len(line) for line in out.splitlines()) <= 80
    from factcmp.report.coverage import labels

    label = labels(report.articles)
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") == 5}
    shared = [f for f in report.findings if len(f.articles) > 1]
    assert len(shared) >= 4
    for f in shared:
        assert rows[f.claim.id].split("│")[2].split() == [label[a] for a in f.articles]
        head = next(line for line in out.splitlines() if line.startswith(f"{f.claim.id} "))
        assert "silent: none" in head if not f.silent else f"the other {len(f.silent)}" in head
