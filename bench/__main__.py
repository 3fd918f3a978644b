"""``python -m bench [FAMILY ...] [--json PATH] [--seeds N] [--quick]``

Runs each named family's benchmark module (``bench/<family>.py``, a ``run(seeds, quick)``
function returning records), prints a table and optionally writes the records as a JSON list.
It measures and never asserts: the exit code is 0 even when a target is missed.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from bench.common import print_table

FAMILIES = ["autoencoder", "transformer", "gan", "rl", "gnn", "rnn", "explore", "class"]
#: a family whose module has another name ("class" is a keyword of Python)
MODULES = {"class": "classroom"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("families", nargs="*", help=f"any of {', '.join(FAMILIES)} (default: all)")
    ap.add_argument("--json", type=Path, help="write the records here")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per case (default 3)")
    ap.add_argument("--quick", action="store_true", help="one seed, shorter budgets")
    args = ap.parse_args(argv)
    unknown = [f for f in args.families if f not in FAMILIES]
    if unknown:
        ap.error(f"unknown family {unknown}; expected some of {FAMILIES}")
    seeds = list(range(1 if args.quick else args.seeds))
    # The first optimiser a process builds imports torch._dynamo (about 2 s). Trainers build
    # theirs on the first step, and the app pays this once in the background (core.training.
    # warm_up); pay it here, before any clock starts, or the first seed of a case would.
    import torch
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)
    records = []
    for fam in args.families or FAMILIES:
        try:
            mod = importlib.import_module(f"bench.{MODULES.get(fam, fam)}")
        except ModuleNotFoundError as e:
            if e.name == f"bench.{MODULES.get(fam, fam)}":
                print(f"[bench] {fam}: no benchmark yet, skipped", file=sys.stderr)
                continue
            raise
        t0 = time.perf_counter()
        print(f"[bench] {fam} ...", file=sys.stderr, flush=True)
        recs = mod.run(seeds=seeds, quick=args.quick)
        print(f"[bench] {fam}: {len(recs)} cases in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
        records.extend(recs)
    print_table(records)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(records, indent=2))
        print(f"[bench] wrote {len(records)} records to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
