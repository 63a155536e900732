"""cli: factcmp stories end to end with the fake embedder: the output folder and its rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FakeEmbedder, article_text, write
from test_stories import feed

from factcmp.cli import cli
from factcmp.config import Settings
from factcmp.report.serialize import dumps, to_dict
from factcmp.stories.run import find_stories

pytestmark = pytest.mark.usefixtures("cache_dir")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_writes_index_and_story_files(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    folder = feed(tmp_path / "feed")
    out = tmp_path / "out"
    result = run("stories", folder, "-o", out)
    assert result.exit_code == 0, result.output
    index = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    assert len(index["stories"]) == 2 and [a["id"] for a in index["unassigned"]] == ["decoy"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["stories.json", *(r["file"] for r in index["stories"])]
    )
    library = find_stories([folder], Settings(use_cache=False), embedder=FakeEmbedder())
    for story in library.stories:
        assert (out / f"{story.id}.json").read_text(encoding="utf-8") == dumps(to_dict(story.report))
    assert "Stories (2; 7 articles)" in result.stdout
    assert "1 article(s) in no story: decoy" in result.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_replaces_a_previous_output_only(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    folder = feed(tmp_path / "feed")
    out = tmp_path / "out"
    assert run("stories", folder, "-o", out).exit_code == 0
    (out / "story-stale.json").write_text("{}")
    again = run("stories", folder, "-o", out)
    assert again.exit_code == 0, again.output
    assert "previous stories output; it will be replaced" in again.stderr
    assert not (out / "story-stale.json").exists()
    (out / "notes.txt").write_text("mine")
    refused = run("stories", folder, "-o", out)
    assert refused.exit_code == 2
    assert "is not a previous stories output" in refused.stderr
    assert (out / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("where", ["file", "input", "holds_input"])
def test_refused_targets(tmp_path: Path, no_real_model: FakeEmbedder, where: str) -> None:
    folder = feed(tmp_path / "feed")
    target = {
        "file": write(tmp_path / "out.json", "{}"),
        "input": folder,
        "holds_input": tmp_path,
    }[where]
    result = run("stories", folder, "-o", target)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (folder / "quake_lv.txt").exists()


def test_failed_run_leaves_nothing(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    write(tmp_path / "bad.txt", article_text("xx", "Text."))
    result = run("stories", tmp_path / "bad.txt", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


def test_ray_missing_names_the_extra(
    tmp_path: Path, no_real_model: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    result = run("stories", feed(tmp_path / "feed"), "-o", tmp_path / "out", "--engine", "ray")
    assert result.exit_code == 1
    assert "pip install 'factcmp[ray]'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_ray_address_needs_ray_engine(tmp_path: Path, no_real_model: FakeEmbedder) -> None:
    result = run("stories", feed(tmp_path / "feed"), "-o", tmp_path / "out", "--ray-address", "x")
    assert result.exit_code == 2
    assert "--engine ray" in result.stderr


def test_progress_on_a_terminal() -> None:
    """Both bars take updates (rate, time left) on a terminal; nothing is drawn elsewhere."""
    import io

    from rich.console import Console

    from factcmp.cli import stories_progress
    from factcmp.embed.stages import enter_stage

    out = io.StringIO()
    with stories_progress(Console(file=out, force_terminal=True, width=100)) as (embed, compare):
        for done in range(0, 101, 20):
            embed(done, 100)
        compare(1, 2)
        compare(2, 2)
    assert "embedding sentences" in out.getvalue() and "comparing stories" in out.getvalue()
    staged = io.StringIO()
    with stories_progress(Console(file=staged, force_terminal=True, width=100)) as (embed, _):
        embed(0, 10)
        enter_stage("converting the model (once)")  # what a first run's embedder announces
        enter_stage("loading the model")
        embed(10, 10)
    shown = staged.getvalue()
    assert shown.index("converting the model") < shown.index("loading the model")
    assert shown.rindex("embedding sentences") > shown.index("loading the model")
    quiet = io.StringIO()
    with stories_progress(Console(file=quiet, force_terminal=False)) as (embed, compare):
        embed(1, 2)
        compare(1, 1)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(("flags", "cpus"), [([], None), (["--threads", "2"], 2)])
def test_ray_engine_gets_settings_and_threads(
    tmp_path: Path, no_real_model: FakeEmbedder, monkeypatch: pytest.MonkeyPatch,
    flags: list[str], cpus: int | None,
) -> None:
    """--engine ray builds the Ray engine with the run's settings (its actors load --model)
    and, when --threads is given, that many CPUs for a local Ray."""
    pytest.importorskip("ray")
    from factcmp.stories import ray_engine
    from factcmp.stories.engine import InProcessEngine

    made: list[dict[str, object]] = []

    class Recorder(InProcessEngine):
        def __init__(self, **kw: object) -> None:
            made.append(kw)

    monkeypatch.setattr(ray_engine, "RayEngine", Recorder)
    out = tmp_path / "out"
    result = run("stories", feed(tmp_path / "feed"), "-o", out, "--engine", "ray", *flags)
    assert result.exit_code == 0, result.output
    assert made == [{"address": None, "settings": made[0]["settings"], "num_cpus": cpus}]
    assert isinstance(made[0]["settings"], Settings)
    assert (out / "stories.json").exists()


def test_written_index_keys_are_the_schema_typeddicts(
    tmp_path: Path, no_real_model: FakeEmbedder
) -> None:
    """stories.json as written has exactly the keys report/schema.py declares (a key added
    to the index without the schema, or the other way round, fails here)."""
    from factcmp.report.schema import (
        StoriesIndexDict,
        StoryDatesDict,
        StoryRowDict,
        UnassignedDict,
    )

    out = tmp_path / "out"
    assert run("stories", feed(tmp_path / "feed"), "-o", out).exit_code == 0
    index = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    assert set(index) == StoriesIndexDict.__required_keys__
    assert index["stories"] and index["unassigned"]
    for row in index["stories"]:
        assert set(row) == StoryRowDict.__required_keys__
        assert set(row["dates"]) == StoryDatesDict.__required_keys__
    for article in index["unassigned"]:
        assert set(article) == UnassignedDict.__required_keys__
