"""stories: a feed grouped into stories (fake embedder), the index, incremental re-runs,
determinism, and the clustering's linkage."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import FakeEmbedder, article_text, write

from factcmp.config import Settings
from factcmp.embed import CachedEmbedder
from factcmp.embed.cache import EmbeddingCache
from factcmp.report.serialize import dumps, to_dict
from factcmp.report.stories import index_dict, summary_order
from factcmp.stories.cluster import ClusterParams, average_linkage
from factcmp.stories.run import find_stories, story_id

# Two stories told in three languages, and a story with the same leaders at another time.
QUAKE = {
    "lv": "Zemestrīcē Palu pilsētā Sulavesi salā Indonēzijā 28. septembrī gāja bojā 832 cilvēki. "
    "Zemestrīces stiprums bija 7,5 magnitūdas. Cunami vilnis Palu sasniedza sešus metrus. "
    "Indonēzijas prezidents Džoko Vidodo apmeklēja Palu. Sulavesi slimnīcās ir 540 ievainoto.",
    "sl": "V potresu v mestu Palu na otoku Sulavezi v Indoneziji je 28. septembra umrlo 832 ljudi. "
    "Potres je imel magnitudo 7,5. Cunami je v Paluju dosegel šest metrov. Indonezijski "
    "predsednik Džoko Vidodo je obiskal Palu. V bolnišnicah na Sulavezi je 540 ranjenih.",
    "is": "Í jarðskjálfta í borginni Palu á Sulawesi í Indónesíu létust 832 manns 28. september. "
    "Skjálftinn var 7,5 að stærð. Flóðbylgja í Palu náði sex metrum. Joko Widodo forseti "
    "Indónesíu heimsótti Palu. Á sjúkrahúsum á Sulawesi eru 540 særðir.",
}
GOLF = {
    "lv": "Eiropas komanda uzvarēja Raidera kausā Parīzē ar 17,5 pret 10,5 punktiem. Francesko "
    "Molinari ieguva piecus punktus. Tairers Vudss zaudēja visās četrās spēlēs. Kapteinis "
    "Tomass Bjorns slavēja Molinari un Flītvudu. Nākamais Raidera kauss notiks Viskonsinā.",
    "sl": "Evropska ekipa je zmagala na Ryderjevem pokalu v Parizu s 17,5 proti 10,5 točke. "
    "Francesco Molinari je osvojil pet točk. Tiger Woods je izgubil vse štiri dvoboje. "
    "Kapetan Thomas Bjorn je pohvalil Molinarija in Fleetwooda. Naslednji Ryderjev pokal bo "
    "v Wisconsinu.",
    "is": "Evrópska liðið vann Ryder-bikarinn í París með 17,5 gegn 10,5 stigum. Francesco "
    "Molinari fékk fimm stig. Tiger Woods tapaði öllum fjórum leikjum sínum. Fyrirliðinn "
    "Thomas Bjorn hrósaði Molinari og Fleetwood. Næsti Ryder-bikar verður í Wisconsin.",
}
SUMMIT_2024 = {
    "lv": "Putins un Kims Čenins Phenjanā parakstīja līgumu par stratēģisko partnerību. Putins "
    "ieradās Phenjanā 19. jūnijā. Līgums paredz savstarpēju palīdzību agresijas gadījumā.",
    "sl": "Putin in Kim Džong Un sta v Pjongjangu podpisala sporazum o strateškem partnerstvu. "
    "Putin je v Pjongjang prispel 19. junija. Sporazum predvideva vzajemno pomoč v primeru "
    "agresije.",
}
SUMMIT_2023 = {
    "lv": "Putins un Kims Čenins tikās Vostočnijas kosmodromā. Kims ieradās Krievijā ar "
    "bruņuvilcienu 12. septembrī. Putins parādīja Kimam raķešu starta vietu.",
    "sl": "Putin in Kim Džong Un sta se srečala na kozmodromu Vostočni. Kim je v Rusijo prispel "
    "z oklepnim vlakom 12. septembra. Putin je Kimu pokazal izstrelišče raket.",
}
DECOY_TEXT = (
    "Preheat the oven to 200 degrees. Mix flour, butter and sugar in a bowl, then bake the "
    "cake for forty minutes until golden. Serve it warm with cream."
)


def feed(folder: Path, *, summits: bool = False) -> Path:
    for lang, text in QUAKE.items():
        write(folder / f"quake_{lang}.txt", article_text(lang, text, date="2018-10-01"))
    for lang, text in GOLF.items():
        write(folder / f"golf_{lang}.txt", article_text(lang, text, date="2018-10-01"))
    if summits:
        for lang, text in SUMMIT_2024.items():
            write(folder / f"s2024_{lang}.txt", article_text(lang, text, date="2024-06-20"))
        for lang, text in SUMMIT_2023.items():
            write(folder / f"s2023_{lang}.txt", article_text(lang, text, date="2023-09-14"))
    write(folder / "decoy.txt", article_text("en", DECOY_TEXT, date="2018-10-01"))
    return folder


def stories_of(paths: list[Path], **kw: object) -> list[tuple[str, ...]]:
    settings = Settings(use_cache=False)
    result = find_stories(paths, settings, embedder=FakeEmbedder(), **kw)  # type: ignore[arg-type]
    return sorted(s.articles for s in result.stories)


def test_two_stories_across_languages_and_a_decoy_alone(tmp_path: Path) -> None:
    folder = feed(tmp_path / "feed")
    result = find_stories([folder], Settings(use_cache=False), embedder=FakeEmbedder())
    assert sorted(s.articles for s in result.stories) == [
        ("golf_is", "golf_lv", "golf_sl"), ("quake_is", "quake_lv", "quake_sl")
    ]
    assert [a.id for a in result.unassigned] == ["decoy"]
    for story in result.stories:
        assert story.id == story_id(story.articles)
        assert [a.id for a in story.report.articles] == list(story.articles)
        assert story.report.findings  # compared


@pytest.mark.parametrize("window", ["30 days", "none", "same dates"])
def test_same_leaders_other_event_kept_apart(tmp_path: Path, window: str) -> None:
    """Two summits of the same leaders are two stories. Without the date window (or with
    both summits on one date) only the evidence keeps them apart: names, numbers, the
    clash of their dates in the text, the vectors."""
    folder = feed(tmp_path / "feed", summits=True)
    if window == "same dates":
        for lang, text in SUMMIT_2023.items():
            write(folder / f"s2023_{lang}.txt", article_text(lang, text, date="2024-06-20"))
    params = ClusterParams(window_days=None) if window == "none" else ClusterParams()
    found = stories_of([folder], params=params)
    assert ("s2024_lv", "s2024_sl") in found
    assert ("s2023_lv", "s2023_sl") in found
    assert not any({"s2023_lv", "s2024_lv"} <= set(s) for s in found)


def test_average_linkage_does_not_chain() -> None:
    """Two tight triangles and one strong pair between them: joining every pair over the bar
    makes one group; average linkage keeps two, because the other candidate pairs between
    them are weak."""
    pairs = np.array([[0, 1], [0, 2], [1, 2], [3, 4], [3, 5], [4, 5], [2, 3], [1, 3], [2, 4]])
    p = np.array([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.85, 0.05, 0.05])
    assert average_linkage(7, pairs, p, 0.5) == [[0, 1, 2], [3, 4, 5], [6]]
    assert average_linkage(7, pairs, p, 0.01) == [[0, 1, 2, 3, 4, 5], [6]]
    assert average_linkage(3, np.zeros((0, 2), np.int64), np.zeros(0), 0.5) == [[0], [1], [2]]


def test_window_keeps_far_dates_apart(tmp_path: Path) -> None:
    folder = feed(tmp_path / "feed")
    write(folder / "quake_lv.txt", article_text("lv", QUAKE["lv"], date="2019-06-01"))
    found = stories_of([folder])
    assert ("quake_is", "quake_sl") in found and not any("quake_lv" in s for s in found)
    found = stories_of([folder], params=ClusterParams(window_days=None))
    assert ("quake_is", "quake_lv", "quake_sl") in found


def test_index(tmp_path: Path) -> None:
    folder = feed(tmp_path / "feed")
    write(folder / "quake_lv.txt",
          article_text("lv", QUAKE["lv"], date="2018-09-30", title="Zemestrīce Palu",
                       source="lsm.lv"))
    result = find_stories([folder], Settings(use_cache=False), embedder=FakeEmbedder())
    index = index_dict(result)
    assert index["model"] == "fake" and index["articles"] == 7
    assert [a["id"] for a in index["unassigned"]] == ["decoy"]
    quake = next(r for r in index["stories"] if "quake_lv" in r["articles"])
    story = next(s for s in result.stories if s.id == quake["id"])
    assert quake["title"] == "Zemestrīce Palu"  # the earliest article's title
    assert quake["languages"] == {"is": 1, "lv": 1, "sl": 1}
    assert quake["sources"] == ["lsm.lv"]
    assert quake["dates"] == {"first": "2018-09-30", "last": "2018-10-01"}
    findings = story.report.findings
    assert quake["shared_claims"] == sum(len(f.articles) > 1 for f in findings) > 0
    assert quake["differing_details"] == sum(len(f.differences) for f in findings)
    assert quake["file"] == f"{quake['id']}.json"
    golf = next(r for r in index["stories"] if "golf_lv" in r["articles"])
    assert golf["title"] == GOLF["is"].split(" Francesco")[0]  # no title: first sentence
    ordered = summary_order([{**golf, "differing_details": 0}, {**quake, "differing_details": 2}])
    assert ordered[0]["id"] == quake["id"]


def test_rerun_embeds_and_annotates_only_new_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import factcmp.annotate

    annotated: list[str] = []
    real = factcmp.annotate._annotate

    def counting(articles: Any, sentences: Any, store: Any) -> Any:
        annotated.extend(a.id for a in articles)
        return real(articles, sentences, store)

    monkeypatch.setattr(factcmp.annotate, "_annotate", counting)
    folder = feed(tmp_path / "feed")
    fake = FakeEmbedder()
    embedder = CachedEmbedder(fake, EmbeddingCache(tmp_path / "cache.sqlite3"))
    find_stories([folder], Settings(), embedder=embedder)
    first = fake.texts_embedded
    assert first > 0 and len(annotated) == 7
    new = [f"Article {i} says that {i * 7} sheep crossed bridge number {i + 100}." for i in range(10)]
    for i, text in enumerate(new):
        write(folder / f"new_{i}.txt", article_text("en", text, date="2018-10-01"))
    fake.calls.clear()
    annotated.clear()
    result = find_stories([folder], Settings(), embedder=embedder)
    assert sorted(t for call in fake.calls for t in call) == sorted(new)
    assert sorted(annotated) == [f"new_{i}" for i in range(10)]
    assert len(result.articles) == 17


def test_same_input_any_order_same_bytes(tmp_path: Path) -> None:
    folder = feed(tmp_path / "feed", summits=True)
    files = sorted(folder.iterdir())

    def run(paths: list[Path]) -> list[str]:
        result = find_stories(paths, Settings(use_cache=False), embedder=FakeEmbedder())
        return [json.dumps(index_dict(result))] + [dumps(to_dict(s.report)) for s in result.stories]

    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    assert run(files) == run(shuffled) == run([folder])


def test_a_feed_file(tmp_path: Path) -> None:
    lines = [{"id": f"quake-{lang}", "lang": lang, "date": "2018-10-01", "text": text}
             for lang, text in QUAKE.items()]
    lines.append({"lang": "lv", "text": "Šī rindiņa nav JSON"})
    path = write(tmp_path / "news.jsonl",
                 "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{bad\n")
    assert stories_of([path]) == [("quake-is", "quake-lv", "quake-sl")]


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_feeds(tmp_path: Path, n: int) -> None:
    paths = [write(tmp_path / f"q{lang}.txt", article_text(lang, text))
             for lang, text in list(QUAKE.items())[:n]]
    result = find_stories(paths, Settings(use_cache=False), embedder=FakeEmbedder())
    assert len(result.articles) == n
    assert len(result.unassigned) + sum(len(s.articles) for s in result.stories) == n


def test_story_ids_differ_for_ids_holding_the_separator() -> None:
    # A feed's ids may hold any character: ["a\nb"] and ["a", "b"] are different stories.
    assert story_id(["a\nb"]) != story_id(["a", "b"])
    assert story_id(["b", "a"]) == story_id(["a", "b"])


def test_no_story_spans_two_components_of_the_pairs_within_the_bar() -> None:
    # A merge needs a pair within the bar between the two groups, so linking each component
    # of those pairs on its own (what keeps the cost near linear) loses no merge.
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(5)
    n = 400
    pairs = np.unique(np.sort(rng.integers(0, n, (2000, 2)), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    p = rng.random(len(pairs))
    strong = p >= 0.8
    _, component = connected_components(
        coo_matrix((np.ones(strong.sum()), (pairs[strong, 0], pairs[strong, 1])), shape=(n, n))
    )
    groups = average_linkage(n, pairs, p, 0.8)
    assert sorted(i for g in groups for i in g) == list(range(n))
    assert all(len({component[i] for i in g}) == 1 for g in groups)
    assert any(len(g) > 2 for g in groups)
