"""``python -m bench [FAMILY ...] [--case NAME ...] [--json PATH] [--seeds N] [--quick]``

Runs each named family's benchmark module (``bench/<family>.py``, a ``run(seeds, quick)``
function returning records; a declared family without one gets ``bench/generic.py``), prints
a table and optionally writes the records as a JSON list. The families are the declared ones
(``core.families``), then ``explore`` (sweeps) and ``class`` (a class on one server).
``--case NAME`` (repeatable) runs only the named cases (e.g. ``python -m bench rl --case
dqn-cartpole``): the six families' and ``explore``'s ``run()`` skip every block that neither
yields a named case nor feeds one (``bench.common.wanted``); ``class`` (one long load test)
and ``bench/generic.py`` (one case) run whole. Only the named cases' records are kept. A name that
no record carries is an error (exit code 2), so a typo does not pass as an empty run. It
measures and never asserts: the exit code is 0 even when a target is missed.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path

from bench.common import choose, print_table
from core import process
from core.families import FAMILIES as DECLARED

FAMILIES = [*DECLARED, "explore", "class"]
#: a family whose module has another name ("class" is a keyword of Python)
MODULES = {"class": "classroom"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("families", nargs="*", help=f"any of {', '.join(FAMILIES)} (default: all)")
    ap.add_argument("--json", type=Path, help="write the records here")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per case (default 3)")
    ap.add_argument("--quick", action="store_true", help="one seed, shorter budgets")
    ap.add_argument("--case", action="append", default=[], metavar="NAME",
                    help="run only this case (repeatable; default: every case)")
    args = ap.parse_args(argv)
    choose(args.case)
    unknown = [f for f in args.families if f not in FAMILIES]
    if unknown:
        ap.error(f"unknown family {unknown}; expected some of {FAMILIES}")
    seeds = list(range(1 if args.quick else args.seeds))
    # one torch thread, and the first optimiser's torch._dynamo import (about 2 s) paid here,
    # before any clock starts, or the first seed of a case would (core/process.py)
    process.setup()
    process.warm_torch()
    records = []
    for fam in args.families or FAMILIES:
        name = f"bench.{MODULES.get(fam, fam)}"
        if importlib.util.find_spec(name) is not None:
            run = importlib.import_module(name).run
        else:  # a declared family with no module of its own yet
            from bench import generic
            run = functools.partial(generic.run, fam)
        t0 = time.perf_counter()
        print(f"[bench] {fam} ...", file=sys.stderr, flush=True)
        recs = [r for r in run(seeds=seeds, quick=args.quick)
                if not args.case or r["case"] in args.case]
        print(f"[bench] {fam}: {len(recs)} cases in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
        records.extend(recs)
    missing = sorted(set(args.case) - {r["case"] for r in records})
    if missing:
        print(f"[bench] no case named {missing} in {args.families or FAMILIES}",
              file=sys.stderr)
        return 2
    print_table(records)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(records, indent=2))
        print(f"[bench] wrote {len(records)} records to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
