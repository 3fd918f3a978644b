"""Run a simulated class's coroutine to its end from plain code (a test, the bench)."""
from __future__ import annotations

import asyncio
import threading
from typing import Any


def run(coro: Any) -> Any:
    """``asyncio.run(coro)``, also where this thread already runs an event loop (a pytest
    session whose browser tests started Playwright's): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = e

    th = threading.Thread(target=target, name="archlab-client")
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")
