"""Streamlit's wire protocol as the simulated students speak it: the one module of ``sim`` that
touches Streamlit's internals.

Streamlit has no public client API. Its browser code and its server exchange protobuf
messages over one websocket (``BackMsg`` up, ``ForwardMsg`` down, from ``streamlit.proto``)
after a few HTTP requests that set cookies. Every internal piece ``sim`` relies on is named
here: the message classes, the endpoints, the websocket's subprotocol, the XSRF cookie (its
name from :mod:`ui.identity`, the app's one reader of that cookie) and the widget id under
which a component's events come back. Streamlit is pinned (requirements.txt); an upgrade that
moves one of them fails here, at import, saying which; ``tests/test_sim.py`` checks each
piece at once, and ``tests/test_client.py`` the protocol end to end against a real server.
"""
from __future__ import annotations

try:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.Element_pb2 import Element
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.WidgetStates_pb2 import WidgetStates
    from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
except ImportError as e:  # say what moved, not only where the import failed
    import streamlit
    raise ImportError(f"sim speaks the pinned Streamlit's protocol; Streamlit "
                      f"{streamlit.__version__} has no {e.name!r}: update sim/wire.py") from e

from ui.identity import COOKIE as XSRF_COOKIE

__all__ = ["BackMsg", "ClientState", "Element", "ForwardMsg", "WidgetStates", "XSRF_COOKIE",
           "FINISHED", "STREAM", "HEALTH", "HOST_CONFIG", "SUBPROTOCOL", "ProtocolError",
           "events_widget_id"]

#: how a run ended (``script_finished``)
FINISHED = ForwardMsg.ScriptFinishedStatus
#: the websocket, and the two requests a browser makes before it opens one
STREAM, HEALTH, HOST_CONFIG = "/_stcore/stream", "/_stcore/health", "/_stcore/host-config"
#: the websocket's first subprotocol (the second is the XSRF token)
SUBPROTOCOL = "streamlit"


class ProtocolError(RuntimeError):
    """The server answered something a browser would not accept."""


def events_widget_id(component_id: str) -> str:
    """The widget id under which a component's ``events`` trigger goes back to the server
    (Streamlit's ``_make_trigger_id(component_id, "events")``)."""
    return f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{component_id}__events"
