"""Runs kept and compared: the run store (``store``), pinned-run comparison (``compare``),
sweeps (``sweep_spec``: what a sweep is; ``sweep``: the engine; ``sweep_figures``; the worker's
command line, ``python -m core.runs worker``) and the warm worker launcher (``workers``).

Nothing is imported here: the run store loads SQLAlchemy (about 0.2 s), which a page pays only
when it first keeps a run.
"""
