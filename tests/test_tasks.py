"""Shared sequence tasks and character text (core.tasks): generators against plain Python,
typed input, the shipped text and the checks on user text."""
from __future__ import annotations

import numpy as np
import pytest

from core.tasks import (MAX_TEXT_BYTES, MIN_TEXT_CHARS, CharText, check_text, load_shipped_text,
                        make_task)


# ---- tasks against plain Python references -----------------------------------------------------
def _py_reference(name, src_syms, n, lsd_first=False):
    if name == "copy":
        return list(src_syms)
    if name == "reverse":
        return list(reversed(src_syms))
    if name == "sort":
        return sorted(src_syms)
    a, b = "".join(src_syms).split("+")
    digits = list(str(int(a) + int(b)).zfill(n + 1))
    return digits[::-1] if lsd_first else digits


@pytest.mark.parametrize("name,seq_len,vocab,lsd", [
    ("copy", 5, 4, False), ("reverse", 8, 10, False), ("sort", 6, 3, False),
    ("sort", 7, 13, False), ("add", 3, 10, False), ("add", 4, 10, True)])
def test_task_generators_match_python_reference(name, seq_len, vocab, lsd):
    task = make_task(name, seq_len, vocab, lsd)
    src, tgt = task.sample(np.random.default_rng(0), 300)
    assert src.shape == (300, task.src_len) and tgt.shape == (300, task.tgt_len)
    for s, t in zip(src, tgt):
        syms = task.decode(s)
        assert task.decode(t) == _py_reference(name, syms, seq_len, lsd)


def test_addition_has_carries_and_parses_typed_input():
    task = make_task("add", 3, 10)
    src, tgt = task.sample(np.random.default_rng(1), 500)
    assert (tgt[:, 0] == 1).mean() > 0.3  # a carry out of the top digit is common
    assert task.decode(task.target(task.encode("99+1")[None])[0]) == list("0100")
    with pytest.raises(ValueError, match="two 3-digit numbers"):
        task.encode("123")
    with pytest.raises(ValueError, match="at most 3 digits"):
        task.encode("1234+1")


def test_typed_sequences_are_checked():
    task = make_task("reverse", 4, 5)
    assert task.encode("0 1, 2 4").tolist() == [0, 1, 2, 4]
    with pytest.raises(ValueError, match="4 symbols"):
        task.encode("012")
    with pytest.raises(ValueError, match="Expect symbols from '01234', actually '7'"):
        task.encode("0127")


# ---- text -------------------------------------------------------------------------------------
def test_shipped_text_is_small_public_and_passes_its_own_check():
    text = load_shipped_text()
    assert 100_000 < len(text.encode("utf-8")) <= MAX_TEXT_BYTES
    ok, problems = check_text(text.encode("utf-8"))
    assert problems == [] and ok == text


def test_check_text_refuses_bad_input_with_clear_messages():
    _, p = check_text(b"to be or not to be")
    assert len(p) == 1 and "too short: 18 characters" in p[0] and f"{MIN_TEXT_CHARS:,}" in p[0]
    _, p = check_text(b"abc" * 1000 + b"\xff\xfe")
    assert "not UTF-8" in p[0] and "position 3000" in p[0]
    _, p = check_text(b"a" * (MAX_TEXT_BYTES + 1))
    assert "limit is 1 MB" in p[0]
    text, p = check_text("\ufeffline one\r\n".encode() * 300)
    assert p == [] and text.startswith("line one\n") and "\r" not in text
    _, p = check_text("".join(chr(0x4E00 + i) for i in range(2500)))
    assert "2500 different characters" in p[0]


def test_char_batches_are_next_character_pairs():
    t = CharText("abcdefghij" * 50)
    x, y = t.batch(np.random.default_rng(0), 5, 12)
    assert x.shape == y.shape == (5, 12)
    assert (x[:, 1:] == y[:, :-1]).all()
    assert ((y - x) % 10 == 1).all()  # each character is followed by the next letter
    with pytest.raises(ValueError, match="characters of the training text"):
        t.encode("xyz")
