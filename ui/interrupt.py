"""The one place that reads Streamlit's pending requests: "has a click arrived?".

Streamlit hands a click to the script only at its next call (a "yield point"); a training loop
makes none, so without this check a Pause waits for the whole tick budget. There is no public
API for it in Streamlit 1.67, so this module reads the run context's request queue, guarded:
on any other Streamlit it answers False and ticks simply run their budget.
"""
from __future__ import annotations


def click_pending() -> bool:
    """True when the browser has sent a click (or any widget change) that waits for this run.

    Streamlit takes such a request only at its next call (a "yield point"), where it stops
    this run and starts the one the click asked for. Training has no such point, so without
    this check a Pause clicked during a tick waited for the whole budget (and on a loaded
    server for several ticks queued behind it). Timer reruns (``run_every``) do not count.
    False outside a Streamlit run.
    """
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
        ctx = get_script_run_ctx(suppress_warning=True)
        req = getattr(ctx, "script_requests", None)
        if req is None:
            return False
        state_now = req._state  # read without the lock: a stale answer costs one step
        if state_now == ScriptRequestType.STOP:
            return True
        return state_now == ScriptRequestType.RERUN and not req._rerun_data.is_auto_rerun
    except Exception:  # noqa: BLE001 - another Streamlit: fall back to the budget alone
        return False
