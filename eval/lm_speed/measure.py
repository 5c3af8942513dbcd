"""Throughput of the embedded llama.cpp server, and a run's wall time against its LM-bound ideal.

``measure``: starts the embedded server with S slots and T threads and sends S concurrent requests, twice:

* prompt-bound: distinct ~600-token prompts (no shared prefix, so nothing is cached), ``max_tokens=1``;
* generation-bound: a short prompt, 128 tokens each, ``ignore_eos`` (llama.cpp stops only at the cap).

Aggregate tokens per second = tokens of all S requests / wall of the batch (median of the repeats); results are
appended to a JSON file.

``ideal``: for an ``eval/prompt_forms`` run directory (its ``sessions.jsonl`` holds each session's wall time and
the LM's calls, prompt tokens, llama.cpp-cached prompt tokens and completion tokens), the LM-bound ideal wall =
uncached prompt tokens / pp rate + completion tokens / tg rate at the same model and slot count, and the ratio
measured wall / ideal (target: <= 1.2).

Usage:
    python eval/lm_speed/measure.py measure --model embedded-fast --slots 4 --threads 2
    python eval/lm_speed/measure.py ideal RUN_DIR --model embedded-fast --slots 4
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from sstar_dspy.lm.embedded import EMBEDDED_MODELS, ensure_model_file  # noqa: E402
from sstar_dspy.lm.server import EmbeddedServer, ServerOptions  # noqa: E402

WORDS = "array integer string return value index sum maximum minimum sort window prefix graph node edge".split()


def _prompt(rng: random.Random, words: int) -> str:
    return "Summarise: " + " ".join(rng.choice(WORDS) for _ in range(words))


def _batch(server: EmbeddedServer, messages: list[list[dict[str, str]]], **params: Any) -> tuple[float, int, int]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        replies = list(pool.map(lambda m: server.chat(m, **params), messages))
    wall = time.perf_counter() - started
    prompt = sum(r["timings"]["prompt_n"] for r in replies)
    predicted = sum(r["timings"]["predicted_n"] for r in replies)
    return wall, prompt, predicted


def measure(model: str, slots: int, threads: int, repeats: int) -> dict[str, Any]:
    """Aggregate prompt and generation tokens/s of the embedded server at ``slots`` concurrent requests."""
    path = ensure_model_file(EMBEDDED_MODELS[model])
    server = EmbeddedServer(path, f"speed-{model}", ServerOptions(n_parallel=slots, n_threads=threads))
    rng = random.Random(0)
    pp, tg = [], []
    for _ in range(repeats):
        prompts = [[{"role": "user", "content": _prompt(rng, 550)}] for _ in range(slots)]
        wall, prompt_n, _ = _batch(server, prompts, max_tokens=1, temperature=0.0)
        pp.append(prompt_n / wall)
        short = [[{"role": "user", "content": f"Count upward from {rng.randint(1, 999)}."}] for _ in range(slots)]
        wall, _, predicted_n = _batch(server, short, max_tokens=128, temperature=0.7, ignore_eos=True)
        tg.append(predicted_n / wall)
    return {
        "model": model,
        "slots": slots,
        "threads": threads,
        "pp_tok_s": round(sorted(pp)[len(pp) // 2], 1),
        "tg_tok_s": round(sorted(tg)[len(tg) // 2], 1),
        "pp_all": [round(x, 1) for x in pp],
        "tg_all": [round(x, 1) for x in tg],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def ideal(run_dir: Path, model: str, slots: int, throughput: Path) -> dict[str, Any]:
    """The run's measured wall against its LM-bound ideal (see the module docstring)."""
    rates = [r for r in json.loads(throughput.read_text()) if r["model"] == model and r["slots"] == slots]
    if not rates:
        raise SystemExit(f"error: {throughput} has no measurement for {model} at {slots} slots; run 'measure' first")
    rate = rates[-1]
    sessions = [json.loads(line) for line in (run_dir / "sessions.jsonl").read_text().splitlines() if line.strip()]
    sessions = [s for s in sessions if s.get("prompt_tokens") is not None]  # token counts not recorded: no ideal
    if not sessions:
        raise SystemExit(f"error: {run_dir}/sessions.jsonl has no session with token counts")
    wall = sum(s["wall_s"] for s in sessions)
    uncached = sum(s["prompt_tokens"] - (s.get("cached_prompt_tokens") or 0) for s in sessions)  # None: not recorded
    completion = sum(s["completion_tokens"] for s in sessions)
    ideal_s = uncached / rate["pp_tok_s"] + completion / rate["tg_tok_s"]
    return {
        "run": str(run_dir),
        "wall_s": round(wall, 1),
        "ideal_s": round(ideal_s, 1),
        "ratio": round(wall / ideal_s, 2) if ideal_s else None,
        "uncached_prompt_tokens": uncached,
        "completion_tokens": completion,
        "rates": {"pp_tok_s": rate["pp_tok_s"], "tg_tok_s": rate["tg_tok_s"], "measured_at": rate["measured_at"]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--model", default="embedded-fast", choices=sorted(EMBEDDED_MODELS))
    m.add_argument("--slots", type=int, default=4)
    m.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    m.add_argument("--repeats", type=int, default=3)
    m.add_argument("--out", default="eval/lm_speed/throughput.json")
    i = sub.add_parser("ideal")
    i.add_argument("run_dir")
    i.add_argument("--model", default="embedded-fast", choices=sorted(EMBEDDED_MODELS))
    i.add_argument("--slots", type=int, default=4)
    i.add_argument("--throughput", default="eval/lm_speed/throughput.json")
    args = parser.parse_args(argv)
    if args.command == "ideal":
        print(json.dumps(ideal(Path(args.run_dir), args.model, args.slots, Path(args.throughput))))
        return 0
    result = measure(args.model, args.slots, args.threads, args.repeats)
    out = Path(args.out)
    rows = json.loads(out.read_text()) if out.exists() else []
    rows.append(result)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
