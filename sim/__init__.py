"""Simulated visitors for the tests and the bench: students without a browser.

A :class:`sim.student.Student` opens an ArchLab page over Streamlit's own websocket protocol,
as the browser's frontend does, and clicks, uploads and keeps a playing page ticking; dozens
of them fit beside the servers they load, where a chromium each would not. The class load
test (``tests/test_class_load.py``), the client's tests and ``python -m bench class`` use it.

It is a tool, not part of the app: app.py, pages/, ui/, core/ and serve/ never import it
(``tests/test_layout.py`` checks), and nothing in it runs inside a server.

- ``student``: the session: connect, click, expand, upload, wait;
- ``page``: the page as a browser holds it, rebuilt from the server's messages;
- ``clock``: what a browser does on its own (fragment timers, the pacer's acks);
- ``fetch``: HTTP with the session's cookies;
- ``wire``: Streamlit's internal protocol pieces, the only module that imports them;
- ``loop``: run a class's coroutine from plain code.
"""
