"""A short class: a handful of simulated students through the proxy on two replicas.

The full measurement is ``python -m bench class``; this checks the same path end to end in the
suite: every student's page opens through the proxy, Play makes it redraw with new steps, no
error or exception arrives, and the proxy spreads the sessions over both replicas.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sim.loop import run as client_run
from sim.student import AFFINITY_COOKIE

classroom = pytest.importorskip("serve.classroom")
from bench.classroom.measure import class_numbers, step_at  # noqa: E402
from bench.classroom.plan import Plan  # noqa: E402
from bench.classroom.students import close_all, make_seats, play_class  # noqa: E402

pytestmark = pytest.mark.slow

STUDENTS = 6
SECONDS = 20.0


@pytest.fixture(scope="module")
def topology():
    topo = classroom.start(replicas=2, class_mode=True)
    yield topo
    topo.stop()


def test_a_short_class(topology):
    plan = Plan(students=STUDENTS, browsers=0, window_s=SECONDS, open_concurrency=3)
    seats = make_seats(STUDENTS, 0)

    async def go():
        try:
            w = await play_class(topology.url, seats, SECONDS, plan)
            return class_numbers(seats, w)
        finally:
            await close_all(seats)
    got = client_run(go())

    assert got["errors"] == []
    assert {s.page for s in seats} == {"autoencoder", "transformer", "gan", "rl", "gnn", "rnn"}
    for seat in seats:
        s = seat.student
        assert s is not None and s.session_id, seat.page
        assert s.cookies.get(AFFINITY_COOKIE) in {r.name for r in topology.replicas}
        # a frame with a new Step after Play, and the counter kept moving after it
        assert s.first_frame_after(seat.clicked_at, seat.step_at_click) is not None, seat.page
        assert sum(k == "fragment" for t, k in s.frames if t > seat.clicked_at) >= 2, seat.page
        assert step_at(s, s.ticks[-1].t) > (seat.step_at_click or 0), seat.page
    assert len(got["replicas"]) == 2, f"all sessions on {got['replicas']}"
    assert got["steps_per_s"] > 0


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="no scheduling groups")
def test_yield_cpu_lowers_only_the_browsers_own_group():
    """The bench's chromium cross-check yields the CPU to the servers: the niceness goes to the
    scheduling group of the browser's session, and the bench's own group keeps its own."""
    from bench.classroom.procs import yield_cpu
    own = Path("/proc/self/autogroup").read_text()
    child = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        said = yield_cpu(7, name="sleep")
        assert said.endswith("nice 7") and said == Path(
            f"/proc/{child.pid}/autogroup").read_text().strip()
        assert Path("/proc/self/autogroup").read_text() == own
        assert yield_cpu(7, name="no-such-process").startswith("not changed: no ")
    finally:
        child.kill()
        child.wait()
