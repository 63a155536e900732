"""The offline default model on the seed corpus, end to end (slow: loads the real model)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factcmp.cli import cli

CORPUS = Path(__file__).parent.parent / "corpus" / "putin-kim"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("factcmp-cache")


def invoke(cache_dir: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"FACTCMP_CACHE_DIR": str(cache_dir)})
    assert result.exit_code == 0, result.output
    return result


def run_cli(cache_dir: Path, *args: str) -> dict:
    return json.loads(invoke(cache_dir, *args).stdout)


@pytest.fixture(scope="module")
def first_run(cache_dir: Path) -> Result:
    """The first run of the module: it loads the model (later runs are served from the cache)."""
    return invoke(cache_dir, "compare", str(CORPUS), "--format", "json")


@pytest.fixture(scope="module")
def report(first_run: Result) -> dict:
    return json.loads(first_run.stdout)


def test_loading_the_model_prints_no_third_party_progress(first_run: Result) -> None:
    # transformers draws a "Loading weights" bar of its own; it would break into factcmp's.
    assert "Loading weights" not in first_run.stderr
    assert "it/s" not in first_run.stderr


def test_every_sentence_is_in_exactly_one_claim(report: dict) -> None:
    members = Counter(sid for claim in report["claims"] for sid in claim["sentences"])
    assert set(members) == {s["id"] for s in report["sentences"]}
    assert set(members.values()) == {1}


def test_no_claim_swallows_the_corpus(report: dict) -> None:
    for claim in report["claims"]:
        per_article = Counter(sid.rsplit(":", 1)[0] for sid in claim["sentences"])
        assert max(per_article.values()) <= 2
        assert len(claim["sentences"]) < len(report["sentences"]) / 4


def test_claims_link_sentences_across_languages(report: dict) -> None:
    lang = {a["id"]: a["lang"] for a in report["articles"]}
    cross = [
        c for c in report["claims"] if len({lang[a] for a in c["articles"]}) > 1
    ]
    assert cross, "no claim links two languages"
    bar = report["settings"]["link_threshold"]  # the bar used between independent articles
    article = {s["id"]: s["article"] for s in report["sentences"]}
    for claim in cross:
        assert any(
            lang[article[link["a"]]] != lang[article[link["b"]]] and link["score"] >= bar
            for link in claim["links"]
        ), claim["id"]


def test_every_article_states_possibly_states_or_is_silent_on_each_claim(report: dict) -> None:
    # Schema 2.0: silent articles are implied (every article neither stating nor possibly
    # stating), so states and possibly must be disjoint, each article at most once.
    ids = {a["id"] for a in report["articles"]}
    for claim in report["claims"]:
        assert "silent" not in claim
        possibly = [p["article"] for p in claim["possibly"]]
        assert len(set(possibly)) == len(possibly)
        assert not set(possibly) & set(claim["articles"])
        assert set(claim["articles"]) | set(possibly) <= ids
        carried = {sid.rsplit(":", 1)[0] for sid in claim["sentences"]}
        assert set(claim["articles"]) == carried


def test_second_run_is_identical_and_served_from_the_cache(cache_dir: Path, report: dict) -> None:
    again = run_cli(cache_dir, "compare", str(CORPUS), "--format", "json")
    assert again == report


A, B, C, D, E = (
    "000_affe72af9a0df58a", "001_1977e9eac9134f9c", "002_86b0d1c7f16c474e",
    "003_1132590431262ebf", "004_1e85e2987fbe16f5",
)


def query_hits(cache_dir: Path, text: str) -> dict[str, list[dict]]:
    data = run_cli(cache_dir, "query", text, str(CORPUS), "--format", "json")
    for r in data["results"]:
        assert r["silent"] == (not r["hits"])
    return {r["article"]: r["hits"] for r in data["results"]}


def test_troops_query_finds_slovenian_2025_article_and_silence_elsewhere(cache_dir: Path) -> None:
    hits = query_hits(cache_dir, "North Korean troops sent to Russia")
    assert "vojakov" in " ".join(h["text"] for h in hits[D])  # "soldiers"
    assert all(not hits[a] for a in (A, B, C, E))


def test_mutual_defense_query_finds_the_slovenian_treaty_sentences(cache_dir: Path) -> None:
    # gold.json queries[0]: 001 #0/#2 (mutual assistance against aggression) and 003 #9
    # (the clause on mutual defence); 000, 002 and 004 are silent on it.
    hits = query_hits(cache_dir, "the mutual defense clause")
    assert {h["sentence"] for h in hits[B]} & {f"{B}:0", f"{B}:2"}
    assert f"{D}:9" in {h["sentence"] for h in hits[D]}
    assert all(not hits[a] for a in (A, C, E))


def test_queries_in_the_terminal_show_the_same_hits(cache_dir: Path) -> None:
    def shown(text: str) -> str:  # the terminal wraps long sentences
        return " ".join(invoke(cache_dir, "query", text, str(CORPUS)).stdout.split())

    out = shown("the mutual defense clause")
    assert "vzajemno pomoč" in out and "klavzulo o medsebojni obrambi" in out
    assert out.count("silent") == 3
    out = shown("North Korean troops sent to Russia")
    assert "vojakov" in out and out.count("silent") == 4


@pytest.mark.parametrize("text", ["qwzx vbnm plkj", "--help", "\U0001F642\U0001F389\U0001F525",
                                  "\u200b\u200b\u200b", "the of and"])
def test_a_query_that_says_nothing_finds_nothing(cache_dir: Path, text: str) -> None:
    data = run_cli(cache_dir, "query", "--format", "json", "--", text, str(CORPUS))
    assert all(r["silent"] and not r["hits"] for r in data["results"])
