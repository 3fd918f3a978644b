"""What a class hits on day one (issue 15): hostile links, slow controls, refusals, advice."""
from __future__ import annotations

import json
import io
import threading

import pytest
import torch

from core.config import parse_value, sanitize, specs
from tests.test_ui import open_toy as _at


def _warning_text(at) -> str:
    return "\n".join(w.value for w in at.warning)


# ---- item 2: a long number is a message, and an echoed value is cut short -----------------
def test_a_5000_digit_value_in_a_link_is_a_short_note_not_a_crash():
    at = _at(hidden="9" * 5000, lr="1" * 5000)
    text = _warning_text(at)
    assert "Hidden" in text and "Learning rate" in text
    assert len(text) < 800  # the 5,000 digits are not printed back
    assert at.slider(key="hidden").value == 8  # the default, as the note says


@pytest.mark.parametrize("raw", ["9" * 5000, "1" * 4301, "x" * 10_000])
def test_every_field_parser_bounds_its_input(raw):
    from tests.toy import ToyConfig
    for spec in specs(ToyConfig):
        value, note = sanitize(spec, raw)
        assert value == spec.default and note is not None and len(note) < 300
        with pytest.raises(ValueError):
            parse_value(spec, raw)


def test_hidden_sizes_with_thousands_of_digits_get_a_message():
    from core.autoencoder.config import AEConfig, parse_hidden
    sizes, problem = parse_hidden("9" * 5000)
    assert sizes == () and problem is not None and len(problem) < 300
    sizes, problem = parse_hidden("128," + "1" * 4400)
    assert sizes == () and problem is not None and len(problem) < 300
    from core.config import validate
    assert any("Hidden" in p for p in validate(AEConfig(hidden="64," * 3000)))


# ---- item 6: the address bar holds what runs --------------------------------------------
def test_a_clamped_link_value_is_written_back_to_the_address_bar():
    at = _at(lr="1e9")
    assert at.number_input(key="lr").value == 100.0
    assert at.query_params.get("lr") in (["100"], "100")
    assert "out of range" in _warning_text(at)


def test_an_unreadable_link_value_leaves_the_address_bar():
    at = _at(hidden="abc")
    assert "hidden" not in at.query_params


# ---- item 8: the note says what happens ---------------------------------------------------
def test_a_fractional_seed_note_names_the_seed_that_is_used():
    at = _at(seed="1.5")
    used = at.session_state["_live_toy"].trainer.seed
    text = _warning_text(at)
    assert f"using {used}." in text or f"using the default {used}." in text, (used, text)


# ---- item 8: a suggested fix can always be taken ------------------------------------------
def test_every_transformer_suggestion_passes_every_rule_and_sits_on_the_sliders():
    import re

    from core.config import validate
    from core.transformer.config import TransformerConfig
    sp = {s.name: s for s in specs(TransformerConfig)}

    def on_slider(name, v):
        s = sp[name]
        return s.min <= v <= s.max and (v - s.min) % s.step == 0

    checked = 0
    for d in range(8, 257):
        for h in range(1, 9):
            for pos in ("sinusoidal", "learned"):
                cfg = TransformerConfig(d_model=d, n_heads=h, pos=pos)
                for problem in validate(cfg):
                    for m in re.finditer(r"pick (?:d_model )?(\d+)( heads)?", problem):
                        name = "n_heads" if m.group(2) else "d_model"
                        fixed = cfg.replace(**{name: int(m.group(1))})
                        assert on_slider(name, int(m.group(1))), problem
                        assert validate(fixed) == [], (problem, validate(fixed))
                        checked += 1
    assert checked > 1000


# ---- item 3: Pause, Step and Reset take effect within one tick ---------------------------
def test_run_for_stops_at_the_first_step_boundary_after_stop_turns_true():
    from tests.toy import ToyConfig, ToyTrainer
    t = ToyTrainer(ToyConfig(), seed=0)
    res = t.run_for(60.0, stop=lambda: t.step >= 7)  # a minute's budget, stopped at step 7
    assert res.steps == 7 and t.step == 7
    assert t.run_for(60.0, stop=lambda: True).steps == 1  # run_for always makes one step


def test_a_tick_trains_in_short_slices_and_releases_the_lock_between_them(monkeypatch):
    """A callback waiting for the lock (Step, Reset, Pin, a download) waits one slice, not a
    whole tick; and a waiting click ends the tick at the next step."""
    from tests.toy import ToyConfig, ToyTrainer
    from core import live as L
    from ui.live import LiveState
    live = LiveState(trainer=ToyTrainer(ToyConfig(), seed=0))
    t = live.trainer
    slices, locked_between = [], []
    real = t.run_for

    def spy(seconds, max_steps=None, stop=None, cut=True):
        slices.append(seconds)
        return real(seconds, max_steps=max_steps, stop=stop, cut=cut)

    monkeypatch.setattr(t, "run_for", spy)

    def stop():
        locked_between.append(live.lock.locked())
        return t.step >= 40
    done = L.tick(t, 60.0, lock=live.lock, stop=stop)
    assert done.steps == 40 and t.step == 40       # stopped by the click, not the 60 s budget
    assert slices and max(slices) <= L.SLICE_S      # never holds the lock for the budget
    assert False in locked_between                  # the lock is free between slices
    # a tick cut short by a click takes no snapshot: the click's run redraws the moment on
    # the screen, so the browser need not remount every chart before it shows "paused";
    # the first tick of an empty timeline snapshots step 0 first, so there is one to draw
    assert t.timeline.steps() == [0] and not done.snapshot
    again = L.tick(t, 60.0, max_steps=5, lock=live.lock)
    assert again.snapshot and t.timeline.latest()[0] == 45  # a tick that ran out its budget does


def test_no_click_is_pending_outside_a_streamlit_run():
    from ui.interrupt import click_pending
    assert click_pending() is False


# ---- item 7: a refused file is explained in page names, never with torch's advice --------
class _Payload:  # an object safe loading must refuse
    def __reduce__(self):
        return (print, ("this would run",))


def test_a_refused_file_names_what_it_is_not_and_never_relays_torchs_advice():
    from core.training import WrongCheckpoint
    from tests.toy import ToyTrainer
    from ui.live.saveload import refusal
    for data in (b"not a checkpoint at all", _pickled(_Payload()), _pickled({"a": 1})):
        with pytest.raises(WrongCheckpoint) as e:
            ToyTrainer.load_bytes(data)
        assert "weights_only" not in str(e.value) and "Re-running" not in str(e.value)
        text = refusal("x.pt", e.value, ToyTrainer)
        assert "not an ArchLab checkpoint" in text and "weights_only" not in text


def test_a_checkpoint_of_another_page_says_which_page_to_open():
    from core.autoencoder.config import AEConfig
    from core.autoencoder.trainer import AETrainer
    from core.gan.trainer import GANTrainer
    from core.training import WrongCheckpoint
    from ui.live.saveload import refusal
    data = AETrainer(AEConfig(), seed=0).save_bytes()
    with pytest.raises(WrongCheckpoint) as e:
        GANTrainer.load_bytes(data)
    text = refusal("ae.pt", e.value, GANTrainer)
    assert "checkpoint of the Autoencoders page" in text and "open the Autoencoders page" in text
    assert "AETrainer" not in text and "GANTrainer" not in text


def _pickled(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


# ---- item 10: a plot title a beginner can read ---------------------------------------------
def test_the_gan_gradient_field_title_says_it_in_words():
    from core.gan.config import GANConfig
    from core.gan.figures import field_figure
    from core.gan.trainer import GANTrainer
    t = GANTrainer(GANConfig(), seed=0)
    fig = field_figure(t.snapshot(), layers=("real", "fake", "gradients"))
    title = fig["layout"]["title"]["text"] if isinstance(fig, dict) else fig.layout.title.text
    assert "∂" not in title and "generator" in title and "pushes" in title


# ---- item 10: the encoder-decoder diagram is as wide as one stack, not two ----------------
def _longest_chain(dot: str) -> int:
    import re
    from functools import lru_cache
    edges: dict[str, list[str]] = {}
    for line in dot.splitlines():
        if "constraint=false" in line:
            continue
        for chain in re.findall(r"(\w+(?:\s*->\s*\w+)+)", line):
            nodes = [n.strip() for n in chain.split("->")]
            for a, b in zip(nodes, nodes[1:]):
                edges.setdefault(a, []).append(b)

    @lru_cache(None)
    def depth(n: str) -> int:
        return 1 + max((depth(m) for m in edges.get(n, [])), default=0)
    return max(depth(n) for n in list(edges))


def test_the_encoder_decoder_diagram_puts_the_stacks_in_two_rows():
    from core.transformer.config import TransformerConfig
    from core.transformer.figures import diagram
    dec = _longest_chain(diagram(TransformerConfig(arch="decoder", n_layers=2)))
    encdec = _longest_chain(diagram(TransformerConfig(arch="encdec", n_layers=2)))
    assert encdec <= dec + 2, (dec, encdec)  # was about twice as long: too small to read


def test_the_click_check_still_finds_what_it_reads_in_this_streamlit():
    """ui/interrupt.py reads Streamlit's request queue (no public API): fail loudly here if an
    upgrade renames what it relies on, instead of Pause silently waiting a whole tick again."""
    from streamlit.runtime.scriptrunner_utils.script_requests import (RerunData, ScriptRequests,
                                                                      ScriptRequestType)
    req = ScriptRequests()
    assert req._state == ScriptRequestType.CONTINUE
    req.request_rerun(RerunData(query_string=""))
    assert req._state == ScriptRequestType.RERUN and req._rerun_data.is_auto_rerun is False


def _pacer(at) -> dict:
    """The data of the page's pacer component (ui.pacer), as the browser gets it."""
    def walk(node):
        kids = getattr(node, "children", None)
        for c in (kids.values() if isinstance(kids, dict) else []):
            yield from walk(c)
        yield node
    found = [e for e in walk(at._tree) if getattr(e, "type", "") == "bidi_component"
             and e.proto.component_name == "archlab_pacer"]
    assert len(found) == 1, "one pacer per page, at the end of the ticking fragment"
    return json.loads(found[0].proto.json)


def test_ticks_are_asked_for_by_the_drawn_ack_not_a_fast_timer():
    """Pause waited behind ticks queued in the browser: a playing page now asks for its next
    tick only once this one is drawn (the pacer's ack), with a slow timer as the fallback."""
    from ui import pacer
    at = _at()
    assert _pacer(at)["armed"] is False                 # paused: nothing is asked for
    at.button(key="_play_toy").click().run()
    p = _pacer(at)
    assert p["armed"] is True and p["tick"] == 1 and 0 <= p["gap_ms"] <= 50
    at.run()                                             # the ack's rerun trains one more tick
    assert _pacer(at)["tick"] == 2
    assert pacer.FALLBACK_S >= 2.0                       # the timer is only the fallback
    at.button(key="_play_toy").click().run()             # Pause
    assert _pacer(at)["armed"] is False
