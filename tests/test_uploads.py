"""The user's own data, one path (ui.uploads.uploaded): the uploader, class mode's limit, the
page's parser and its error type, a parse cache keyed by the content, and the pages that use it
(GAN points, the graph's edge list, a character model's text)."""
from __future__ import annotations

import hashlib

import pytest
from conftest import open_page
from streamlit.testing.v1 import AppTest

from core import classroom as K


def _script():
    import streamlit as st

    from ui.uploads import uploaded

    class RowError(ValueError):
        pass

    def parse(raw: bytes, name: str) -> str:
        st.session_state["parses"] = st.session_state.get("parses", 0) + 1
        if raw.startswith(b"bad"):
            raise RowError("Row 1 is bad: write two numbers.")
        if raw.startswith(b"bug"):
            raise KeyError("a bug, not the student's file")
        return raw.decode().upper()

    st.session_state["got"] = uploaded(
        "Your data", parse, key="_data", error=RowError, missing="Upload your data.",
        describe=lambda value, name: f"{len(value)} characters from {name}.")


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="_data").set_value((name, data, "text/csv")).run()
    return at


def _parses(at: AppTest) -> int:
    return at.session_state["parses"] if "parses" in at.session_state else 0


def test_no_file_gives_the_pages_missing_message():
    at = AppTest.from_function(_script).run()
    assert at.session_state["got"] == (None, None, "Upload your data.") and _parses(at) == 0


def test_a_file_is_parsed_once_per_content_and_its_id_is_the_content_hash():
    at = _upload(AppTest.from_function(_script).run(), "a.csv", b"hello")
    assert at.session_state["got"] == ("HELLO", hashlib.sha1(b"hello").hexdigest(), None)
    assert [c.value for c in at.caption] == ["5 characters from a.csv."]
    at.run()                                                  # a rerun: no new parse
    _upload(at, "b.csv", b"hello")                            # the same content renamed
    assert _parses(at) == 1 and at.session_state["got"][1] == hashlib.sha1(b"hello").hexdigest()
    assert [c.value for c in at.caption] == ["5 characters from b.csv."]
    _upload(at, "c.csv", b"world")                            # a new file: a new id
    assert at.session_state["got"] == ("WORLD", hashlib.sha1(b"world").hexdigest(), None)
    assert _parses(at) == 2


def test_the_parsers_error_names_the_file_and_a_bug_is_not_hidden():
    at = _upload(AppTest.from_function(_script).run(), "bad.csv", b"bad,1,2")
    assert at.session_state["got"] == (None, None, "bad.csv: Row 1 is bad: write two numbers.")
    assert not at.caption
    _upload(at, "bug.csv", b"bug")
    assert "KeyError" in str(at.exception)


@pytest.fixture
def class_mode(monkeypatch):
    monkeypatch.setenv("ARCHLAB_CLASS", "1")
    monkeypatch.setenv("ARCHLAB_CLASS_UPLOAD_MB", "1")
    K.reload()
    yield
    monkeypatch.undo()
    K.reload()


def test_class_mode_caps_the_uploader_and_refuses_a_bigger_file_unparsed(class_mode):
    at = AppTest.from_function(_script).run()
    assert at.file_uploader(key="_data").proto.max_upload_size_mb == 1
    _upload(at, "big.csv", b"x" * 1_200_000)
    assert at.session_state["got"] == (
        None, None, "big.csv: The file is 1.2 MB; in class mode an upload is at most 1 MB. "
                    "Upload a smaller file.")
    assert _parses(at) == 0


# ---- the pages that use it ------------------------------------------------------------------
POINTS = ("x,y\n" + "\n".join(f"{i / 10:.1f},{(i % 7) / 7:.3f}" for i in range(60))).encode()


@pytest.mark.slow
def test_gan_page_trains_on_an_uploaded_csv_and_explains_a_bad_one():
    at = open_page("pages/gan.py", dataset="csv")
    at.file_uploader(key="_gan_csv").set_value(("bad.csv", b"x,y\n1,2,3\n", "text/csv")).run()
    assert any("bad.csv: Row 2 has 3 columns; expect exactly 2" in e.value for e in at.error)
    at.file_uploader(key="_gan_csv").set_value(("line.csv", POINTS, "text/csv")).run()
    assert not at.error and not at.exception
    assert "60 points loaded from line.csv." in [c.value for c in at.sidebar.caption]
    live = at.session_state["_live_gan"]
    assert live.data_key == hashlib.sha1(POINTS).hexdigest() and len(live.trainer.points) == 60


EDGES = b"source,target,label\n" + b"".join(
    f"{i},{(i + 1) % 6 + 6 * (i // 6)},{'ab'[i // 6]}\n".encode() for i in range(12)) + b"0,6\n"


@pytest.mark.slow
def test_gnn_page_builds_the_uploaded_graph_and_names_a_bad_row():
    at = open_page("pages/gnn.py", graph="upload")
    at.file_uploader(key="gnn_upload").set_value(("g.csv", b"0,1\n0,x\n", "text/csv")).run()
    assert any("g.csv: Row 2: node ids must be whole numbers" in e.value for e in at.error)
    at.file_uploader(key="gnn_upload").set_value(("two.csv", EDGES, "text/csv")).run()
    assert not at.error and not at.exception
    assert any("12 nodes, 13 links, 2 classes" in c.value for c in at.sidebar.caption)
    live = at.session_state["_live_gnn"]
    assert live.data_key == hashlib.sha1(EDGES).hexdigest() and live.trainer.graph.name == "two.csv"


@pytest.mark.slow
@pytest.mark.parametrize("slug,prefix,query", [("transformer", "tr", {"arch": "decoder"}),
                                               ("rnn", "rnn", {})])
def test_character_pages_take_an_uploaded_text_over_a_pasted_one(slug, prefix, query):
    text = ("To be, or not to be, that is the question. " * 60).encode()
    at = open_page(f"pages/{slug}.py", task="charlm", text="custom", **query)
    at.text_area(key=f"_{prefix}_paste").set_value("too short").run()
    assert any("too short: 9 characters" in e.value for e in at.error)
    at.file_uploader(key=f"_{prefix}_upload").set_value(("hamlet.txt", text, "text/plain")).run()
    assert not at.error and not at.exception
    assert f"{len(text):,} characters, 16 different." in [c.value for c in at.caption]
    assert at.session_state[f"_live_{slug}"].data_key == hashlib.sha1(text).hexdigest()
