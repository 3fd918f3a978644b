"""Sections below the fold that wait until the browser has drawn the rest of a page.

A page's first frame competes with itself in the browser: the theory's overview (its Graphviz
diagram and KaTeX equations) took about as long to draw as the live charts above it on the
autoencoder page, and the student sees the charts first. :func:`shown` lets such a section
wait: inside an ``st.fragment``, it returns False on a session's first visit to the page and
mounts an invisible component. In the browser that component waits until every chart on the
page is drawn (no element still loading its code, every plotly chart holding data, every
Vega-Lite chart with its canvas), then for an idle moment, and then sends a trigger: the
fragment reruns, :func:`shown` returns True, and the section is drawn. From then on (every
later rerun in the session) it returns True at once.

The wait is capped (:data:`MAX_WAIT_MS`), so a chart that never draws cannot hold the
section back for good. A page may hold several waiting sections, each in its own fragment
(the graph page: the figures under its first screen and the theory's Overview). Their
triggers are sent one at a time (:data:`SPACING_MS` apart): two sent in the same task reach
the server as one message that names one fragment, so both callbacks run but only one
fragment reruns, and the other section stayed on its placeholder for good (2 of 16 graph
pages opened four at a time here; Streamlit 1.67). A section still mounted
:data:`RETRY_MS` after its trigger sends it once more, so a trigger lost any other way
costs a moment, not the section. A client without a browser never sends the trigger, and never gets the
section: the class load test's light students (``sim.student``) draw no theory, like a
student who never scrolls down.
"""
from __future__ import annotations

import streamlit as st

#: the component's name
NAME = "archlab_after_frame"
#: the longest a section waits for the charts above it (then it is drawn anyway)
MAX_WAIT_MS = 6000
#: the least time between two sections' triggers on one page
SPACING_MS = 100
#: a section still waiting this long after its trigger was sent sends it again
RETRY_MS = 5000
#: a session with this set draws every section at once: for a client with no browser to send
#: the trigger that wants them all the same (the tests' AppTest sessions)
EVERYTHING = "_deferred_everything"

_JS = """
export default function ({ data, setTriggerValue }) {
  if (typeof data !== 'number') return;
  let live = true, timer = null, tries = 0;
  const t0 = performance.now();
  const drawn = () => document.querySelectorAll('[data-testid=stSkeleton]').length === 0
    && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(
         c => (c.querySelector('.js-plotly-plot')?.data || []).length > 0)
    && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every(
         v => v.querySelector('canvas, svg'));
  const idle = window.requestIdleCallback || (f => setTimeout(f, 50));
  // one trigger per task, page-wide: triggers sent in the same task reach the server as one
  // message naming one fragment, and the other section's fragment never reruns
  const send = () => {
    if (!live) return;
    const now = performance.now();
    const at = Math.max(now, window.__archlabDeferredNext || 0);
    window.__archlabDeferredNext = at + SPACING_MS;
    timer = setTimeout(() => {
      if (!live) return;
      setTriggerValue("ready", true);
      // still here later: the rerun that unmounts us may never have come; ask once more
      // (once: while other fragments' reruns queue up, an unmount can lag, and a resend
      // every few seconds kept the session rerunning for good)
      if (++tries < 2) timer = setTimeout(send, RETRY_MS);
    }, at - now);
  };
  const poll = () => {
    if (!live) return;
    if (drawn() || performance.now() - t0 > data) {
      idle(send, { timeout: 500 });
    } else {
      timer = setTimeout(() => requestAnimationFrame(poll), 50);
    }
  };
  requestAnimationFrame(poll);
  return () => { live = false; clearTimeout(timer); };
}
""".replace("SPACING_MS", str(SPACING_MS)).replace("RETRY_MS", str(RETRY_MS))
_component = st.components.v2.component(NAME, js=_JS)


def flag(key: str) -> str:
    """The session-state key that records a section as shown (tests may set it)."""
    return f"{key}_shown"


def shown(key: str) -> bool:
    """True once section ``key`` may be drawn in this session; call it inside a fragment."""
    done = flag(key)
    if st.session_state.get(done) or st.session_state.get(EVERYTHING):
        return True
    # the cap as a plain number: a dict would be scanned for dataframes on every call
    _component(key=key, data=MAX_WAIT_MS,
               on_ready_change=lambda: st.session_state.__setitem__(done, True), height=0)
    return False
