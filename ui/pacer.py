"""Ticks paced by the browser: the next tick is asked for once this one is on the screen.

A fragment timer (``st.fragment(run_every=...)``) asks for a tick every interval whether or
not the browser has drawn the last one. Streamlit remounts a plotly chart whose figure
changed, so a page with big figures (Cora's 2,708 nodes, the GAN's fields) can take longer to
draw a tick than the server takes to make one. The ticks then queue in the browser, and a
Pause click waits behind all of them: 8 s on the graph page, about 1 s on the GAN page.

:func:`pace` mounts an invisible component at the end of a tick. In the browser it waits for
the next animation frame (everything above it has been laid out and painted), then for what
is left of the tick's interval, and then sends the trigger ``drawn``: the rerun of the
fragment that trains the next tick. So the server makes at most one tick more than the
browser has drawn, and a click waits for one tick at most. The fragment keeps a slow timer
(:data:`FALLBACK_S`) in case an ack is lost; a hidden tab (no animation frames) ticks at that
pace. A client without a browser (``sim.clock``) sends the same trigger.
"""
from __future__ import annotations

import streamlit as st

#: the component's name; ``sim.page`` finds the element by it
NAME = "archlab_pacer"
#: the trigger the browser sends when a tick is drawn
EVENT = "drawn"
#: a playing fragment's timer: ticks come this often when no ack arrives
FALLBACK_S = 4.0

_JS = """
export default function ({ data, setTriggerValue }) {
  if (!data || !data.armed) return;
  let live = true;
  const t0 = performance.now();
  requestAnimationFrame(() => setTimeout(() => {
    const wait = Math.max(0, data.gap_ms - (performance.now() - t0));
    setTimeout(() => { if (live) setTriggerValue("drawn", data.tick); }, wait);
  }, 0));
  return () => { live = false; };
}
"""

_component = st.components.v2.component(NAME, js=_JS)


def pace(key: str, tick: int, gap_s: float, armed: bool) -> None:
    """Ask the browser for the next tick once tick ``tick`` is drawn and at least ``gap_s``
    seconds more have passed. ``armed`` False (paused): nothing is asked for."""
    _component(key=key, data={"armed": bool(armed), "tick": int(tick),
                              "gap_ms": round(max(gap_s, 0.0) * 1000)},
               on_drawn_change=_ignore, height=0)


def _ignore() -> None:
    """The trigger's only job is the rerun it causes."""
