"""Imports that another thread has started: wait for them to finish before using the module.

Dataframe-aware libraries ask "has the user loaded pandas?" by looking the module up in
``sys.modules`` instead of importing it: plotly's ``get_module(name, should_load=False)``
(its validators and its array encoder) and narwhals' ``sys.modules.get(...)``. Streamlit runs
every session as a thread of one process, so on a fresh server that lookup can find a module
another session is still importing: half built, without its classes ("partially initialized
module 'pandas' has no attribute 'Series'"). A real ``import`` statement never sees that: it
waits on the module's import lock until the other thread is done. :func:`settled` makes that
wait for each module such a library looks up: for a module already complete it costs a
dictionary lookup, so figure code calls it every time, before it builds or sends a figure.
"""
from __future__ import annotations

import importlib
import sys
from typing import Iterable

__all__ = ["LOOKED_UP", "settled"]

#: the modules plotly and narwhals look up in ``sys.modules`` without importing them
LOOKED_UP = ("numpy", "pandas", "pyarrow", "polars", "modin", "modin.pandas", "cudf",
             "dask", "dask.dataframe", "ibis", "sqlframe", "xarray", "PIL", "PIL.Image")


def settled(names: Iterable[str] = LOOKED_UP) -> None:
    """Wait until every module of ``names`` that some thread has begun to import is complete
    (names nobody imported are left alone: nothing is imported here).

    >>> import json
    >>> settled(["json", "not_imported_by_anyone"])
    >>> "not_imported_by_anyone" in sys.modules
    False
    """
    for name in names:
        mod = sys.modules.get(name)
        if mod is not None and getattr(getattr(mod, "__spec__", None), "_initializing", False):
            importlib.import_module(name)  # takes the module's import lock: waits for the import
