"""``python -m bench class``: a whole class on the class topology (proxy + replicas).

Simulated students (:class:`sim.student.Student`, the real websocket protocol without a
browser) open the architecture pages through the proxy, press Play and keep their sessions;
a few real chromium sessions play beside them as a cross-check, their scheduling group at a
niceness of 10 (:func:`procs.yield_cpu`: in a class the browsers are on the students' laptops, not
on the server's two cores). One topology
(``serve.classroom.start(replicas=2, class_mode=True)``) serves every phase, in this order:

1. warm-up: on each replica one short visit of every page (Play, two redraws, close), so each
   has imported every family and built one model of each;
2. ``class-affinity``: uploads through the proxy, each from a session with its cookies (the
   weights uploader every page has; the page must answer with its refusal of the junk file,
   which proves the file reached the session's replica), and the home page's images (media
   files live in the replica that drew them). The same requests without the affinity cookie
   are counted too: they fail about half the time, which shows the check can fail;
3. the warm-up's and affinity's sessions are closed and Streamlit's disconnected-session TTL
   (read from the replicas' command lines) passes: each replica's RSS now is "before";
4. ``class-30``: the class starts as a teacher starts it (everyone opens the page, a few
   at a time, then everyone presses Play at once) and plays for the window (5 minutes;
   ``--quick`` shorter and fewer students). Per session: redraws per second (fragment runs
   that redrew the page), time from the Play click to the first frame with a new Step, time
   to open the page, errors; per replica: RSS and CPU;
5. every session closes, the TTL passes again: RSS "after"; ``class-memory`` = after ÷ before
   (the worse replica);
6. ``class-scaling``: the same class (same pages, same chromium sessions) pinned to one replica
   through its cookie (the other idles), its steps per second over the same length of window
   as the first part of step 4; steps/s with 2 replicas ÷ with 1.

Steps come from each page's "Step" metric as the client receives it (the RL page counts
updates, the graph page epochs: the same pages in both halves of the ratio).

One module per job: ``plan`` (pages, labels, sizes), ``procs`` (RSS and CPU from ``/proc``),
``students`` (the seats, opened and played), ``browsers`` (the chromium cross-check),
``measure`` (a seat, and what a window measured), ``phases`` (warm-up, affinity, memory at rest) and
``records`` (the cases' records); :func:`main` runs the phases in the order above.
"""
from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from bench.classroom.browsers import Browsers
from bench.classroom.measure import class_numbers
from bench.classroom.phases import affinity, settle, warm_up
from bench.classroom.plan import FULL, QUICK, Plan, log
from bench.classroom.procs import Sampler, rss_parts, session_ttl
from bench.classroom.records import (affinity_record, class_records, memory_record,
                                     scaling_record)
from bench.classroom.students import play_class, seated
from sim.student import AFFINITY_COOKIE


def run(seeds: list[int], quick: bool) -> list[dict[str, Any]]:
    """The bench's entry point (``seeds`` unused: the students are the repetitions)."""
    return asyncio.run(main(QUICK if quick else FULL))


async def main(plan: Plan) -> list[dict[str, Any]]:
    """Start the class topology (and chromium), run the phases on it, stop everything."""
    try:
        from serve import classroom
    except ImportError as e:
        log(f"no class launcher ({e}): skipped")
        return []
    t_all = time.monotonic()
    log(f"starting the topology: 2 replicas, class mode ({os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f})")
    topo = classroom.start(replicas=2, class_mode=True)
    browsers: Browsers | None = Browsers()
    if not (plan.browsers > 0 and await browsers.start()):
        browsers = None
    try:
        recs = await run_phases(topo, plan, browsers)
    finally:
        if browsers is not None:
            await browsers.stop()
        topo.stop()
    log(f"done in {time.monotonic() - t_all:.0f} s")
    return recs


async def run_phases(topo: Any, plan: Plan, browsers: Browsers | None) -> list[dict[str, Any]]:
    """Phases 1-6 of the module docstring, in order, on one topology: their records."""
    url, reps = topo.url, topo.replicas
    ttl = max(session_ttl(r.pid) for r in reps)
    sampler = Sampler(reps)
    sampler.start()
    log(f"proxy {url}; replicas {[r.name for r in reps]}; session TTL {ttl:.0f} s")
    # 1. warm-up
    bad = await warm_up(url, reps, plan.warm_pages, plan)
    log(f"warm-up done ({len(bad)} problems: {bad[:3]})")
    # 2. class-affinity
    recs = [affinity_record(await affinity(url, plan))]
    # 3. RSS at rest before the class
    before0, before = await settle(url, reps, ttl, plan.ttl_margin_s)
    before_parts = rss_parts(reps)
    log(f"before: RSS {before} MB (before the probe visit {before0}); {before_parts}")
    # 4. class-30, on both replicas
    async with seated(plan, browsers) as seats:
        w = await play_class(url, seats, plan.window_s, plan, None, browsers, sampler)
        first = class_numbers(seats, w, upto=plan.scaling_window_s)
        procs = sampler.summary(w["w0"], w["w1"])
        recs += class_records(plan, seats, w, class_numbers(seats, w), procs, browsers)
    # 5. class-memory: RSS at rest after it
    after0, after = await settle(url, reps, ttl, plan.ttl_margin_s)
    recs.append(memory_record(before, after, after0, before_parts, rss_parts(reps), procs, ttl))
    # 6. class-scaling: the same class pinned to one replica
    async with seated(plan, browsers) as seats:
        w1 = await play_class(url, seats, plan.scaling_window_s, plan,
                              {AFFINITY_COOKIE: reps[0].name}, browsers, sampler)
        recs.append(scaling_record(plan, first, class_numbers(seats, w1),
                                   sampler.summary(w["w0"], w["w0"] + plan.scaling_window_s),
                                   sampler.summary(w1["w0"], w1["w1"])))
    await sampler.stop()
    return recs
