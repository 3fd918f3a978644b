"""The theory texts' display formulas are written so that the page's markdown renders them.

Streamlit's markdown treats the rest of an opening ``$$`` line as the block's info string and
drops it, so ``$$\\begin{aligned}`` on one line loses the ``\\begin`` and KaTeX fails on the
first ``&`` (the recurrent page's LSTM and GRU equations did). A browser test draws every tab
(tests/test_theory_browser.py); this is the quick check of the rule behind it.
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THEORY = sorted(ROOT.glob("core/*/theory.md"))


def misplaced_fences(text: str) -> list[int]:
    """Line numbers of ``$$`` fences of a multi-line block that share their line with math.

    >>> misplaced_fences("$$a = b$$\\n$$\\nx\\n$$")
    []
    >>> misplaced_fences("$$\\\\begin{aligned}\\na &= b\\n\\\\end{aligned}$$")
    [1, 3]
    """
    bad, open_ = [], False
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not open_ and s.startswith("$$"):
            if s == "$$":
                open_ = True
            elif not (len(s) > 4 and s.endswith("$$")):
                bad.append(i)
                open_ = True
        elif open_ and s.endswith("$$"):
            if s != "$$":
                bad.append(i)
            open_ = False
    return bad


def test_the_rule_is_checked_on_every_theory_file():
    assert len(THEORY) >= 6


@pytest.mark.parametrize("path", THEORY, ids=lambda p: p.parent.name)
def test_display_formulas_open_and_close_on_lines_of_their_own(path):
    assert misplaced_fences(path.read_text()) == [], path
