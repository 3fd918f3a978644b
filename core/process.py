"""One process's set-up: the app server, a sweep worker, the bench and the tests call it.

:func:`setup` is explicit (importing a module of ArchLab changes nothing process-wide) and
idempotent: every architecture page calls it (``ui.page.Page``), the bench, a sweep worker, a
class replica and the tests call it at their start, and only the first call does anything.

- One torch thread. All sessions of a server share one process, and a small model's
  arithmetic is a few thousand tiny kernels a step: extra threads only wait on each other
  (DESIGN 8). numpy's BLAS too: OpenBLAS's own threads made a (1437, 64) SVD take 1-5 s
  instead of 0.02-0.06 s on a loaded 2-core machine (the autoencoder's PCA baseline).
- :func:`warm_torch` builds one throwaway optimiser. The first optimiser a process builds
  imports ``torch._dynamo`` (1-2 s of CPU here): the bench and the sweep worker pay it
  before any clock starts, the app in a background thread a moment after its first page
  (``background=True``), so a student pays it neither on the first frame nor on Play.
"""
from __future__ import annotations

import threading
import time

__all__ = ["setup", "warm_torch"]

_done = threading.Event()
_warmed = threading.Event()


def setup() -> None:
    """One torch thread and one BLAS thread for this process (once; later calls return)."""
    if _done.is_set():
        return
    import threadpoolctl
    import torch
    torch.set_num_threads(1)
    threadpoolctl.threadpool_limits(1, user_api="blas")
    _done.set()


def warm_torch(*, background: bool = False, delay_s: float = 3.0) -> None:
    """Build one throwaway optimiser (once per process), now or, with ``background``, in a
    daemon thread after ``delay_s`` so as not to compete with drawing the first page."""
    if _warmed.is_set():
        return
    _warmed.set()

    def work() -> None:
        import torch
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)

    if not background:
        work()
        return

    def later() -> None:
        time.sleep(delay_s)
        work()

    threading.Thread(target=later, name="archlab-warm-up", daemon=True).start()
