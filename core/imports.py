"""Imports that another thread has started: wait for them to finish before using the module.

Dataframe-aware libraries ask "has the user loaded pandas?" by looking the module up in
``sys.modules`` instead of importing it: plotly's ``get_module(name, should_load=False)``
(its validators and its array encoder) and narwhals' ``sys.modules.get(...)``. Streamlit runs
every session as a thread of one process, so on a fresh server that lookup can find a module
another session is still importing: half built, without its classes ("partially initialized
module 'pandas' has no attribute 'Series'"). A real ``import`` statement never sees that: it
waits on the module's import lock until the other thread is done.

Waiting is not enough: a session can start importing pandas just after another one checked,
while that one's figure is being built (seen: the home page's first visit beside the recurrent
page's). So :func:`settled` imports each such module that is installed, with a real import: the
first call in a process pays for the imports (pandas, about 0.5 s), and from then on they are
complete for good, so no lookup can find them half built. Later calls cost a dictionary lookup
a module; figure code calls it every time, before it builds or sends a figure.
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
    """Make every module of ``names`` that is installed completely imported: import it, or
    wait for the thread that is importing it (names that are not installed are left out).

    >>> settled(["json", "no_such_module_here"])
    >>> "json" in sys.modules and "no_such_module_here" not in sys.modules
    True
    """
    for name in names:
        mod = sys.modules.get(name)
        if mod is not None and not getattr(getattr(mod, "__spec__", None), "_initializing",
                                           False):
            continue                       # complete: the usual case, a dictionary lookup
        if name in _MISSING:
            continue
        try:
            importlib.import_module(name)  # imports it, or waits on its lock for another thread
        except ImportError:
            _MISSING.add(name)


#: modules of :data:`LOOKED_UP` that are not installed here
_MISSING: set[str] = set()
