"""The sweep worker's command line: ``python -m core.runs worker SWEEP_ID [--db URL]``.

Runs trials of a sweep (:func:`core.runs.sweep.work`) until none is left. The Sweep panel's
workers are forked by the warm launcher instead (``core.runs.workers``) and use this command
line only when that launcher is gone; more machines join a sweep on a shared PostgreSQL
database with it::

    python -m core.runs worker SWEEP_ID --db postgresql+psycopg://user@dbhost/archlab
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m core.runs")
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker", help="run trials of a sweep until none is left")
    w.add_argument("sweep_id")
    w.add_argument("--db", default=None, help="database URL (default: the run store's)")
    args = ap.parse_args(argv)
    from core.runs.store import StoreError, default_url
    from core.runs.sweep import work
    url = args.db or default_url()
    try:
        work(args.sweep_id, url)
    except StoreError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
