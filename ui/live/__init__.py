"""The live panel of every architecture page, one job per module:

- ``state``: what a page keeps per session (trainer, lock, play state) and what ``draw`` gets;
- ``controls``: Play/Pause, Step, Reset, Pin and what they do;
- ``ticker``: the fragment that ticks (``core.live.tick``), the status row and the timeline;
- ``saveload``: downloads, share link, loading a checkpoint back;
- ``classmode``: everything class mode changes, as one object (a no-op when it is off);
- ``panel``: :func:`live_panel`, which puts them together.
"""
from ui.live.panel import live_panel
from ui.live.state import LiveState, View, state

__all__ = ["live_panel", "LiveState", "View", "state"]
