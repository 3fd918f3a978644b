"""RNN family: written-out cells against torch's fused modules, tasks, models, trainer."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import torch
import torch.nn as nn

from core.config import apply_overrides, validate
from core.rnn.cells import GATES, gru_cell, lstm_cell, rnn_cell, unroll
from core.rnn.config import EXPERIMENTS, PRESETS, RNNConfig
from core.rnn.data import BASELINE_MSE, DATE_FORMATS, Adding, Copy, Dates
from core.rnn.model import Seq2Seq
from core.rnn.snapshot import RNNSnapshot
from core.rnn.trainer import HELD_OUT, RNNTrainer

FUSED = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


# ---- 1. cells against the fused modules --------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers,bi", [(1, False), (2, False), (1, True), (3, True)])
def test_unrolled_cells_equal_the_fused_module(cell, layers, bi):
    torch.manual_seed(0)
    m = FUSED[cell](5, 7, num_layers=layers, bidirectional=bi, batch_first=True).eval()
    x = torch.randn(3, 6, 5)
    D = 2 if bi else 1
    h0 = torch.randn(layers * D, 3, 7)
    state = (h0, torch.randn_like(h0)) if cell == "lstm" else h0
    out, final = m(x, state)
    u = unroll(m, x, state)
    assert u.output.shape == (3, 6, 7 * D)
    assert torch.allclose(out, u.output, atol=1e-6)
    for a, b in zip(final if cell == "lstm" else (final,),
                    u.final if cell == "lstm" else (u.final,)):
        assert torch.allclose(a, b, atol=1e-6)
    assert set(u.gates[0][0]) == set(GATES[cell])
    assert all(g.shape == (3, 6, 7) for g in u.gates[-1][-1].values())


@pytest.mark.parametrize("cell,fn,torch_cell", [("rnn", rnn_cell, nn.RNNCell),
                                                 ("lstm", lstm_cell, nn.LSTMCell),
                                                 ("gru", gru_cell, nn.GRUCell)])
def test_one_step_equals_torch_cells(cell, fn, torch_cell):
    torch.manual_seed(1)
    c = torch_cell(4, 6)
    x, h = torch.randn(5, 4), torch.randn(5, 6)
    if cell == "lstm":
        cc = torch.randn(5, 6)
        (h1, c1), _ = fn(x, (h, cc), c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh)
        rh, rc = c(x, (h, cc))
        assert torch.allclose(c1, rc, atol=1e-6)
    else:
        (h1,), _ = fn(x, (h,), c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh)
        rh = c(x, h)
    assert torch.allclose(h1, rh, atol=1e-6)


@pytest.mark.parametrize("cell,block,gate", [("lstm", 0, "input"), ("lstm", 1, "forget"),
                                             ("lstm", 3, "output"), ("gru", 0, "reset"),
                                             ("gru", 1, "update")])
def test_gate_names_follow_torch_row_order(cell, block, gate):
    """Zero weights and one row block of the bias at +3: only that gate reads sigmoid(3)."""
    m = FUSED[cell](2, 4, batch_first=True)
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
        m.bias_ih_l0[block * 4:(block + 1) * 4] = 3.0
    u = unroll(m, torch.randn(1, 3, 2))
    for name, g in u.gates[0][0].items():
        if name in ("cell", "candidate"):
            continue
        want = torch.sigmoid(torch.tensor(3.0 if name == gate else 0.0))
        assert torch.allclose(g, want.expand_as(g), atol=1e-6), name


def test_gru_update_gate_near_one_copies_the_state_in_torch_too():
    m = nn.GRU(2, 4, batch_first=True)
    with torch.no_grad():
        m.bias_ih_l0[4:8] = 20.0  # z = 1: h_t = h_{t-1}
    h0 = torch.randn(1, 2, 4)
    out, _ = m(torch.randn(2, 5, 2), h0)
    assert torch.allclose(out, h0[0][:, None].expand(2, 5, 4), atol=1e-6)
    assert torch.allclose(unroll(m, torch.randn(2, 5, 2), h0).gates[0][0]["update"],
                          torch.ones(2, 5, 4), atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_through_the_unrolled_cells_equal_the_fused_ones(cell):
    torch.manual_seed(2)
    m = FUSED[cell](3, 5, num_layers=2, batch_first=True)
    x = torch.randn(2, 7, 3, requires_grad=True)
    g_fused, = torch.autograd.grad(m(x)[0][:, -1].sum(), x)
    u = unroll(m, x)
    g_own, = torch.autograd.grad(u.output[:, -1].sum(), x, retain_graph=True)
    assert torch.allclose(g_fused, g_own, atol=1e-6)
    # the per-step tensors carry the total derivative: dL/dh_0 flows through every later step
    dh = torch.autograd.grad(u.output[:, -1].sum(), u.steps[-1][0])
    assert dh[0].abs().sum() > 0 and len(dh) == 7


# ---- 2. tasks ---------------------------------------------------------------------------------
def test_adding_problem_has_two_marks_one_per_half_and_the_mean_baseline():
    x, y = Adding(50).sample(np.random.default_rng(0), 200_000)
    assert x.shape == (200_000, 50, 2) and y.shape == (200_000,)
    marks = x[..., 1]
    assert (marks.sum(1) == 2).all()
    assert (marks[:, :25].sum(1) == 1).all() and (marks[:, 25:].sum(1) == 1).all()
    assert np.allclose(y, (x[..., 0] * marks).sum(1))
    assert BASELINE_MSE == pytest.approx(1 / 6)
    assert ((y - 1.0) ** 2).mean() == pytest.approx(BASELINE_MSE, abs=2e-3)  # always say 1


def test_recall_targets_are_the_symbols_after_the_go_marker():
    task = Copy(n_recall=3, delay=4, vocab=5)
    x, y = task.sample(np.random.default_rng(0), 10)
    assert x.shape == y.shape == (10, 11)
    assert (x[:, 7] == task.go).all() and (x[:, 3:7] == task.blank).all()
    assert (y[:, -3:] == x[:, :3]).all() and (y[:, :-3] == task.blank).all()
    assert task.mask.tolist() == [False] * 8 + [True] * 3


def test_every_date_format_writes_the_same_day():
    d = Dates()
    day = dt.date(1998, 3, 3)
    written = {k: f(day) for k, f in DATE_FORMATS.items()}
    assert written["3 March 1998"] == "3 March 1998" and written["mar 3 98"] == "mar 3 98"
    assert written["03/03/1998"] == "03/03/1998" and written["Tuesday, 3 March 1998"] \
        == "Tuesday, 3 March 1998"
    for text in written.values():
        assert len(d.encode(text)) == d.src_len
    assert d.decode(d.target_ids(day)) == "1998-03-03"


def test_date_samples_fit_and_decode_to_iso():
    d = Dates()
    src, tgt = d.sample(np.random.default_rng(3), 2000)
    assert src.shape == (2000, d.src_len) and tgt.shape == (2000, 10)
    for t in tgt[:50]:
        iso = d.decode(t)
        assert dt.date.fromisoformat(iso).year in range(1950, 2050)
    with pytest.raises(ValueError, match="letters, digits"):
        d.encode("3 March 1998 @ noon")
    with pytest.raises(ValueError, match="1 to 28 characters"):
        d.encode("3 March 1998 " * 4)


# ---- 3. models --------------------------------------------------------------------------------
@pytest.mark.parametrize("attention", ["none", "additive", "multiplicative"])
@pytest.mark.parametrize("bi", [False, True])
def test_seq2seq_shapes_and_attention_ignores_padding(attention, bi):
    torch.manual_seed(0)
    m = Seq2Seq("lstm", vocab=9, embed=6, hidden=8, layers=2, bidirectional=bi,
                attention=attention, pad=0).eval()
    src = torch.randint(1, 9, (3, 7))
    src[:, 5:] = 0
    logits, att = m(src, torch.randint(1, 9, (3, 4)))
    assert logits.shape == (3, 4, 9)
    if attention == "none":
        assert att is None
    else:
        assert att.shape == (3, 4, 7)
        assert torch.allclose(att.sum(-1), torch.ones(3, 4), atol=1e-6)
        assert (att[:, :, 5:] == 0).all()


def test_teacher_forcing_zero_is_greedy_decoding():
    torch.manual_seed(0)
    m = Seq2Seq("gru", vocab=7, embed=5, hidden=8, attention="additive").eval()
    src = torch.randint(0, 7, (4, 6))
    toks, probs, att = m.greedy(src, start=6, steps=5)
    tgt_in = torch.cat([torch.full((4, 1), 6), toks[:, :-1]], 1)  # feed the guesses back
    logits, att2 = m(src, tgt_in, teacher_forcing=1.0)
    assert torch.equal(logits.argmax(-1), toks) and torch.allclose(att, att2, atol=1e-6)
    assert probs.shape == (4, 5) and ((probs > 0) & (probs <= 1)).all()


# ---- 4. config --------------------------------------------------------------------------------
def test_defaults_presets_and_experiments_validate():
    assert validate(RNNConfig()) == []
    for p in PRESETS + EXPERIMENTS:
        assert validate(apply_overrides(RNNConfig(), p.overrides)) == [], p.name
    assert all(p.question and p.watch for p in EXPERIMENTS)


def test_no_field_takes_a_query_parameter_streamlit_reserves():
    from core.config import specs
    assert not {s.name for s in specs(RNNConfig)} & {"embed", "embed_options"}


def test_problems_name_the_fix():
    p = validate(RNNConfig(task="charlm", bidirectional=True))
    assert len(p) == 1 and "turn off the bidirectional" in p[0]
    p = validate(RNNConfig(task="add", seq_len=9))
    assert "6 or less" in p[0]
    p = validate(RNNConfig(layers=3, hidden=512, T=200, batch_size=256))
    assert "halve the batch size" in p[0]
    assert "Layers 4 is above the maximum 3" in validate(RNNConfig(layers=4))[0]


# ---- 5. trainer -------------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["adding", "recall", "reverse", "charlm"])
def test_every_emitted_metric_is_declared(task):
    from core.metrics import undeclared
    t = RNNTrainer(RNNConfig(task=task, hidden=16, block_size=16), 0)
    emitted = set(t.train_step()) | set(t.evaluate())
    assert undeclared(RNNTrainer.metrics, emitted) == []


def test_same_seed_same_run():
    a, b = RNNTrainer(RNNConfig(), 3), RNNTrainer(RNNConfig(), 3)
    a.run_steps(5)
    b.run_steps(5)
    assert a.history.series("loss")[1].tolist() == b.history.series("loss")[1].tolist()


@pytest.mark.parametrize("task,cell", [("adding", "lstm"), ("recall", "gru"),
                                       ("reverse", "rnn"), ("dates", "lstm"),
                                       ("charlm", "lstm")])
def test_snapshot_is_typed_numpy_for_the_chosen_example(task, cell):
    cfg = RNNConfig(task=task, cell=cell, hidden=16, embedding=8, bidirectional=task == "dates",
                    example=2, block_size=32)
    t = RNNTrainer(cfg, 0)
    t.run_steps(2)
    before = [p.grad.clone() for p in t.model.parameters()]
    s = t.snapshot()
    assert isinstance(s, RNNSnapshot)
    T = len(s.inputs)
    assert s.h.shape == (16, T) and s.h.dtype == np.float32 and s.grad_norm.shape == (T,)
    assert (s.c is not None) == (cell == "lstm")
    assert set(s.gates) == set(GATES[cell])
    assert np.isfinite(s.grad_norm).all() and (s.grad_norm >= 0).all()
    for p, g in zip(t.model.parameters(), before):  # the snapshot left the weights' grads alone
        assert torch.equal(p.grad, g)
    if task == "adding":
        assert T == 50 and s.target_value == pytest.approx(float(t.test_y[2]))
    if task == "dates":
        assert s.attention.shape == (10, T) and len(s.outputs) == 10
        assert "".join(s.inputs) in {f(dt.date.fromisoformat(Dates().decode(t.test_y[2])))
                                     for f in DATE_FORMATS.values()}
    if task == "charlm":
        assert s.sample.startswith("MENENIUS:\n") and len(s.sample) == 10 + 200


def test_held_out_dates_never_appear_in_training():
    t = RNNTrainer(RNNConfig(task="dates"), 0)
    assert len(t.exclude) > 900 and len(t.test_x) == HELD_OUT
    for _ in range(20):
        x, y = t.batch()
        assert not set(t.keys(x, y)) & t.exclude


def test_try_it_decodes_a_typed_date_with_its_alignment():
    t = RNNTrainer(RNNConfig(task="dates", hidden=16), 0)
    out = t.try_it("mar 3 98")
    assert out["inputs"] == list("mar 3 98") and len(out["outputs"]) == 10
    assert out["attention"].shape == (10, 8)
    with pytest.raises(ValueError, match="letters, digits"):
        t.try_it("3 March 1998!")


def test_checkpoint_round_trip_gives_the_same_model():
    t = RNNTrainer(RNNConfig(task="reverse", hidden=16), 0)
    t.run_steps(3)
    u = RNNTrainer.load_bytes(t.save_bytes())
    assert u.step == 3 and u.accuracy(50) == t.accuracy(50)


def test_an_exploding_learning_rate_is_reported_not_raised():
    t = RNNTrainer(RNNConfig(cell="rnn", lr=0.3, clip=False, hidden=256), 0)
    t.train_step = lambda: {"loss": float("nan")}
    res = t.run_for(1.0)
    assert res.diverged is not None and "learning rate 0.3" in res.diverged.message()


@pytest.mark.slow
def test_lstm_solves_adding_and_the_rnn_gradient_vanishes():
    """After the same 700 steps: the LSTM under 0.01 MSE with gradient still reaching the
    first steps; the tanh RNN near 0.167 with ∂L/∂h_t at the first steps vanished."""
    out = {}
    for cell in ("lstm", "rnn"):
        t = RNNTrainer(RNNConfig(cell=cell), 0)
        t.run_steps(700)
        g = t.snapshot().grad_norm
        out[cell] = t.accuracy()["test_mse"], g[:5].mean() / g[-5:].mean()
    assert out["lstm"][0] < 0.01 and out["lstm"][1] > 1e-3
    assert out["rnn"][0] > 0.05 and out["rnn"][1] < 1e-6
