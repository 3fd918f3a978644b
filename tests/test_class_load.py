"""A short class: a handful of simulated students through the proxy on two replicas.

The full measurement is ``python -m bench class``; this checks the same path end to end in the
suite: every student's page opens through the proxy, Play makes it redraw with new steps, no
error or exception arrives, and the proxy spreads the sessions over both replicas.
"""
from __future__ import annotations


import pytest

from serve.client import AFFINITY_COOKIE
from serve.client import run as client_run

classroom = pytest.importorskip("serve.classroom")
from bench.classroom import (Plan, class_numbers, close_all, make_seats,  # noqa: E402
                             play_class, step_at)

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
