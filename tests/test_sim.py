"""The simulated student (sim/) without a server: the Streamlit pieces it speaks with are in the
installed Streamlit, and a page is rebuilt from the messages a server sends. Its tests against a
real server are tests/test_client.py (slow)."""
from __future__ import annotations

from sim.student import Student
from sim.wire import (FINISHED, BackMsg, ClientState, Element, ForwardMsg, WidgetStates,
                      events_widget_id)

#: what sim reads and writes of each message (sim/page.py, sim/student.py, sim/clock.py)
FORWARD_KINDS = {"ref_hash", "new_session", "delta", "navigation", "page_info_changed",
                 "script_finished", "session_status_changed", "auto_rerun", "stop_auto_rerun",
                 "file_urls_response", "page_not_found"}
ELEMENT_KINDS = {"button", "metric", "markdown", "alert", "text", "heading", "imgs",
                 "file_uploader", "exception", "bidi_component"}
CLIENT_STATE = {"query_string", "page_script_hash", "page_name", "widget_states", "fragment_id",
                "is_auto_rerun", "cached_message_hashes", "context_info"}
WIDGET_STATE = {"id", "trigger_value", "json_trigger_value", "bool_value",
                "file_uploader_state_value"}
FINISHED_NAMES = {"FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR",
                  "FINISHED_FRAGMENT_RUN_SUCCESSFULLY", "FINISHED_EARLY_FOR_RERUN"}


def test_the_wire_pieces_are_in_this_streamlit():
    """sim/wire.py names Streamlit's internal protocol: fail here, at once, if an upgrade
    renames a message, a field or the id a component's events come back under."""
    def oneof(cls):
        return {f.name for f in cls.DESCRIPTOR.oneofs_by_name["type"].fields}
    assert FORWARD_KINDS <= oneof(ForwardMsg)
    assert ELEMENT_KINDS <= oneof(Element)
    assert {"rerun_script", "file_urls_request"} <= oneof(BackMsg)
    assert CLIENT_STATE <= set(ClientState.DESCRIPTOR.fields_by_name)
    widget = WidgetStates.DESCRIPTOR.fields_by_name["widgets"].message_type
    assert WIDGET_STATE <= set(widget.fields_by_name)
    assert FINISHED_NAMES <= set(FINISHED.keys())
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    assert events_widget_id("abc") == _make_trigger_id("abc", "events")


def _run(s: Student, *elements: tuple[str, str, str], fragment: str = "",
         status: str = "FINISHED_SUCCESSFULLY") -> None:
    """Feed ``s`` one run as a server sends it: (kind, label, body) per element drawn."""
    start = ForwardMsg()
    start.new_session.initialize.session_id = "sid"
    if fragment:
        start.metadata.run.fragment_ids.append(fragment)
    s._handle(start)
    for i, (kind, label, body) in enumerate(elements):
        msg = ForwardMsg()
        msg.metadata.delta_path.extend([0, i])
        msg.delta.fragment_id = fragment
        el = msg.delta.new_element
        if kind == "button":
            el.button.label, el.button.id = label, f"b-{label}"
        else:
            el.metric.label, el.metric.body = label, body
        s._handle(msg)
    end = ForwardMsg()
    end.script_finished = FINISHED.Value(status)
    s._handle(end)


def test_a_page_is_rebuilt_from_the_messages_of_its_runs():
    s = Student("http://127.0.0.1:1", "autoencoder")
    _run(s, ("button", "▶ Play", ""), ("metric", "Step", "1,234"))
    assert s.session_id == "sid" and set(s.buttons()) == {"▶ Play"} and s.step == 1234
    assert [k for _, k in s.frames] == ["full"] and s.idle
    # a fragment run redraws the Step; the next full run drops what it did not draw again
    _run(s, ("metric", "Step", "1,300"), fragment="f1",
         status="FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
    assert s.step == 1300 and [k for _, k in s.frames] == ["full", "fragment"]
    _run(s, ("metric", "Step", "1,301"))
    assert s.buttons() == {} and [t.step for t in s.ticks] == [1234, 1300, 1301]
    assert s.errors == []
