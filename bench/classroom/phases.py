"""The phases around the class itself: warm-up visits, the affinity check through the proxy,
and waiting until closed sessions are gone (to read each replica's RSS at rest)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.classroom.plan import PAGES, PLAY, SAVE_PANEL, WEIGHTS_UPLOADER, Plan, log
from bench.classroom.procs import rss_mb
from serve.replica import REAP_INTERVAL_S
from sim.student import AFFINITY_COOKIE, Student


async def warm_up(url: str, replicas: list[Any], pages: tuple[str, ...], plan: Plan) -> list:
    """One visit of every page on every replica: open, Play, two redraws, close."""
    sem = asyncio.Semaphore(plan.open_concurrency)

    async def visit(replica: str, page: str) -> str | None:
        async with sem:
            try:
                async with Student(url, page, cookies={AFFINITY_COOKIE: replica}) as s:
                    await s.wait_idle()
                    t0 = time.monotonic()
                    await s.click(PLAY)
                    await s.wait_for(lambda st: sum(t >= t0 and k == "fragment"
                                                    for t, k in st.frames) >= 2, 120)
                    return None if s.replica == replica else f"{page}: on {s.replica}"
            except Exception as e:  # noqa: BLE001
                return f"{replica}/{page}: {type(e).__name__}: {e}"
    res = await asyncio.gather(*(visit(r.name, p) for r in replicas for p in pages))
    return [r for r in res if r]


async def affinity(url: str, plan: Plan) -> dict[str, Any]:
    """Uploads and media through the proxy, with and without the affinity cookie."""
    per = max(plan.uploads // plan.upload_sessions, 1)
    out: dict[str, Any] = {"uploads": 0, "upload_failures": 0, "media": 0, "media_failures": 0,
                           "no_cookie_uploads": 0, "no_cookie_failures": 0,
                           "no_cookie_media": 0, "no_cookie_media_failures": 0,
                           "replicas": [], "why": []}
    sem = asyncio.Semaphore(plan.open_concurrency)

    async def uploader(i: int) -> None:
        page = PAGES[i % len(PAGES)]
        async with sem:
            try:
                async with Student(url, page) as s:
                    await s.wait_idle()
                    await s.expand(SAVE_PANEL)  # the uploader is drawn once it is opened
                    await s.wait_idle()
                    out["replicas"].append(s.replica)
                    for k in range(per):
                        name = f"class-{i}-{k}.pt"
                        out["uploads"] += 1
                        status = await s.upload(WEIGHTS_UPLOADER, name, b"not a checkpoint " * 8)
                        try:
                            if status != 204:
                                raise RuntimeError(f"HTTP {status}")
                            await s.wait_for(lambda st: any(name in a for a in st.alerts), 120)
                        except Exception as e:  # noqa: BLE001
                            out["upload_failures"] += 1
                            out["why"].append(f"{page} {name}: {type(e).__name__}: {e}")
                    # the same without the cookie: the proxy picks a replica by its own rule
                    # (spread over the sessions, so over both replicas)
                    tries = len(range(i, plan.no_cookie_tries, plan.upload_sessions))
                    if tries:
                        for k in range(tries):
                            out["no_cookie_uploads"] += 1
                            status = await s.upload(WEIGHTS_UPLOADER, f"nc-{i}-{k}.pt", b"x" * 64,
                                                    affinity=False)
                            out["no_cookie_failures"] += status != 204
                            await s.wait_idle()
            except Exception as e:  # noqa: BLE001
                out["upload_failures"] += per - sum(1 for w in out["why"] if f"class-{i}-" in w)
                out["why"].append(f"{page} session: {type(e).__name__}: {e}")

    async def media() -> None:
        async with sem:
            try:
                async with Student(url, "") as s:
                    await s.wait_idle()
                    urls = s.media_urls()
                    for u in urls:
                        out["media"] += 1
                        st = await s.get(u)
                        out["media_failures"] += st != 200
                        if st != 200:
                            out["why"].append(f"media {u}: HTTP {st}")
                    for u in (urls * plan.no_cookie_tries)[:plan.no_cookie_tries]:
                        out["no_cookie_media"] += 1
                        out["no_cookie_media_failures"] += await s.get(u, affinity=False) != 200
            except Exception as e:  # noqa: BLE001
                out["media_failures"] += 1
                out["why"].append(f"media session: {type(e).__name__}: {e}")
    await asyncio.gather(media(), *(uploader(i) for i in range(plan.upload_sessions)))
    return out


async def settle(url: str, replicas: list[Any], ttl: float, margin: float
                 ) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Wait until Streamlit may drop the disconnected sessions (TTL + margin), then make it
    drop them, then wait a few seconds more while RSS still falls.

    Streamlit keeps a closed tab's session in a TTL cache that forgets expired entries only
    when it is next written, i.e. when some session disconnects: until then an expired
    session keeps its memory. A live class has students coming and going; here one visit of
    the home page per replica (open, close) plays that part. The replica gives the memory
    back at its reaper's next round (``serve.replica.REAP_INTERVAL_S``). Returns the RSS of
    each replica (MB) before that visit and at the end."""
    await asyncio.sleep(ttl + margin)
    unprobed = {r.name: rss_mb(r.pid) for r in replicas}
    for r in replicas:
        try:
            async with Student(url, "", cookies={AFFINITY_COOKIE: r.name}) as s:
                await s.wait_idle()
        except Exception as e:  # noqa: BLE001
            log(f"probe visit of {r.name} failed: {e!r}")
    # the replica's reaper notices the dropped sessions within one round, then collects and
    # trims (up to a second here): before that, RSS is flat but the memory is not yet returned
    await asyncio.sleep(REAP_INTERVAL_S + 2)
    last = {r.name: rss_mb(r.pid) for r in replicas}
    for _ in range(6):
        await asyncio.sleep(2)
        now = {r.name: rss_mb(r.pid) for r in replicas}
        if all(now[k] is not None and last[k] is not None and now[k] >= last[k] - 1
               for k in now):
            return unprobed, now
        last = now
    return unprobed, last
