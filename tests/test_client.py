"""The protocol-level client (sim/student.py) against a real ``streamlit run app.py``.

It must do what a browser does, or the class load test measures nothing: open a page, find
its buttons, press Play and keep the page ticking (the fragment's ``run_every`` timers are the
client's job), stop on Pause, and get an uploaded file into the session.
"""
from __future__ import annotations

import asyncio
import time

import pytest

from serve.local import start_app, stop
from sim.loop import run as client_run
from sim.student import Student

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    proc, url = start_app(timeout=120)
    yield url
    stop(proc)


def fragment_frames(s: Student, since: float) -> int:
    return sum(1 for t, k in s.frames if t >= since and k == "fragment")


def test_play_ticks_and_pause_stops(server):
    async def go():
        async with Student(server, "autoencoder") as s:
            await s.wait_idle()
            assert s.session_id
            assert s.metric("State") == "paused"
            assert "▶ Play" in s.buttons()
            step0 = s.step
            assert step0 == 0

            t_play = time.monotonic()
            await s.click("▶ Play")
            await s.wait_for(lambda s: fragment_frames(s, t_play) >= 3, timeout=120)
            assert s.metric("State") == "training"
            assert s.step > step0
            assert s.timers, "a playing page keeps a fallback timer"
            assert s.acks >= 2, "ticks are asked for by the pacer's ack (ui.pacer)"
            assert s.first_frame_after(t_play, step0) is not None

            await s.click("❚❚ Pause")
            await s.wait_for(lambda s: s.metric("State") == "paused" and not s.running,
                             timeout=60)
            assert not s.timers, "the full run after Pause clears every timer"
            n, step, acks = len(s.frames), s.step, s.acks
            await asyncio.sleep(2.0)  # a paused page must not redraw on its own
            assert len(s.frames) == n
            assert s.acks == acks, "a paused page's pacer asks for nothing"
            assert s.step == step
            assert s.errors == []
    client_run(go())


def test_upload_reaches_the_session(server):
    rows = "x,y\n" + "\n".join(f"{i / 10:.1f},{(i % 7) / 3:.3f}" for i in range(50))

    async def go():
        async with Student(server, "gan", query="dataset=csv") as s:
            await s.wait_idle()
            status = await s.upload("Your 2-D points (CSV: x,y per row)", "points.csv",
                                    rows.encode(), "text/csv")
            assert status == 204
            await s.wait_idle()
            await s.wait_for(lambda s: any("50 points loaded from points.csv" in t
                                           for t in s.texts()), timeout=60)
            assert "dataset=csv" in s.query
            assert s.errors == []
    client_run(go())


def test_weights_upload_in_the_shut_save_panel_once_opened(server):
    """The save panel draws its uploader only once opened (ui.widgets.lazy_expander): the
    client opens it as a click does, and the class bench's affinity check uploads there."""
    async def go():
        async with Student(server, "autoencoder") as s:
            await s.wait_idle()
            with pytest.raises(LookupError):
                await s.upload("Load weights saved from this page (.pt)", "w.pt", b"junk")
            await s.expand("Save, load and share this run")
            await s.wait_idle()
            status = await s.upload("Load weights saved from this page (.pt)", "w.pt",
                                    b"not a checkpoint " * 8)
            assert status == 204
            await s.wait_for(lambda s: any("w.pt" in a for a in s.alerts), timeout=60)
            assert s.errors == []
    client_run(go())


def test_errors_are_seen(server):
    """A page that does not exist is a protocol error the client reports (so a class run
    with errors cannot read as clean)."""
    async def go():
        async with Student(server, "no-such-page") as s:
            await s.wait_for(lambda s: bool(s.errors), timeout=60)
            assert any("page not found" in e for e in s.errors)
    client_run(go())


def test_pause_sent_with_the_fragments_rerun_still_redraws_the_controls(server):
    """Chromium once sent a Pause click and the pacer's ack as one fragment-scoped message:
    the click's callback paused the trainer in a fragment run, and the button outside the
    fragment kept saying Pause with no way back to Play. The panel then asks for a full run."""
    async def go():
        from streamlit.proto.WidgetStates_pb2 import WidgetStates
        async with Student(server, "autoencoder") as s:
            await s.wait_idle()
            t_play = time.monotonic()
            await s.click("▶ Play")
            await s.wait_for(lambda s: fragment_frames(s, t_play) >= 2, timeout=120)
            el, frag = s.buttons()["❚❚ Pause"]
            assert not frag, "Play/Pause is drawn outside the ticking fragment"
            await s.wait_for(lambda s: s._run_pacer is not None and s._run_pacer[1], timeout=60)
            fragment_id = s._run_pacer[1]
            states = WidgetStates()
            w = states.widgets.add()
            w.id, w.trigger_value = el.button.id, True
            await s._rerun(states, fragment_id=fragment_id, full=False)
            await s.wait_for(lambda s: "▶ Play" in s.buttons() and not s.running, timeout=60)
            assert s.metric("State") == "paused"
            assert s.errors == []
    client_run(go())
