"""Transformer family: attention, model, trainer and figures (its tasks: tests/test_tasks.py)."""
from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.config import apply_overrides, validate
from core.figures import chart_rows
from core.metrics import undeclared
from core.transformer import figures as TF
from core.transformer.config import EXPERIMENTS, PRESETS, TransformerConfig
from core.transformer.model import (MultiHeadAttention, Transformer, attention, causal_mask,
                                    sinusoidal_encoding)
from core.transformer.snapshot import TransformerSnapshot
from core.transformer.trainer import HELD_OUT, TransformerTrainer


# ---- 1. shapes -------------------------------------------------------------------------------
def test_attention_shapes():
    q, k, v = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 7, 4), torch.randn(2, 3, 7, 6)
    out, w = attention(q, k, v)
    assert out.shape == (2, 3, 5, 6) and w.shape == (2, 3, 5, 7)
    assert torch.allclose(w.sum(-1), torch.ones(2, 3, 5))


@pytest.mark.parametrize("arch", ["encdec", "decoder"])
def test_transformer_shapes(arch):
    m = Transformer(vocab=11, arch=arch, n_layers=3, n_heads=2, d_model=16, d_ff=32, max_len=20)
    src = torch.randint(0, 11, (4, 6)) if arch == "encdec" else None
    logits, att = m(src, torch.randint(0, 11, (4, 9)))
    assert logits.shape == (4, 9, 11)
    assert [tuple(a.shape) for a in att["dec"]] == [(4, 2, 9, 9)] * 3
    if arch == "encdec":
        assert [tuple(a.shape) for a in att["enc"]] == [(4, 2, 6, 6)] * 3
        assert [tuple(a.shape) for a in att["cross"]] == [(4, 2, 9, 6)] * 3
    else:
        assert att["enc"] == [] and att["cross"] == []


def test_weight_tying_shares_the_matrix():
    tied = Transformer(vocab=7, d_model=16, n_heads=2, d_ff=16, tie_weights=True)
    free = Transformer(vocab=7, d_model=16, n_heads=2, d_ff=16, tie_weights=False)
    assert tied.head.weight is tied.emb.weight
    assert free.head.weight is not free.emb.weight
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert n(free) - n(tied) == 7 * 16


# ---- 2. equality with references -------------------------------------------------------------
@pytest.mark.parametrize("mask_kind", ["none", "causal", "random"])
def test_attention_equals_torch_sdpa(mask_kind):
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 4, 6, 8, generator=g) for _ in range(3))
    mask = {"none": None, "causal": causal_mask(6),
            "random": torch.rand(6, 6, generator=g) > 0.4}[mask_kind]
    if mask is not None:
        mask[:, 0] = True  # every query must see at least one key
    ours, _ = attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.allclose(ours, ref, atol=1e-6)


def test_multihead_equals_sdpa_on_the_same_projections():
    torch.manual_seed(0)
    mha = MultiHeadAttention(d_model=12, n_heads=3)
    xq, xkv = torch.randn(2, 5, 12), torch.randn(2, 7, 12)
    out, w = mha(xq, xkv)
    split = lambda t: t.view(2, -1, 3, 4).transpose(1, 2)  # noqa: E731
    wq, wk, wv = mha.qkv.weight.split(12)
    bq, bk, bv = mha.qkv.bias.split(12)
    ref = F.scaled_dot_product_attention(split(F.linear(xq, wq, bq)), split(F.linear(xkv, wk, bk)),
                                         split(F.linear(xkv, wv, bv)))
    ref = mha.o(ref.transpose(1, 2).reshape(2, 5, 12))
    assert torch.allclose(out, ref, atol=1e-6)
    assert w.shape == (2, 3, 5, 7)


def test_multihead_matches_torch_nn_multiheadattention():
    torch.manual_seed(1)
    ours = MultiHeadAttention(d_model=8, n_heads=2)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.qkv.weight)  # both stack W^Q, W^K, W^V in that order
        ref.in_proj_bias.copy_(ours.qkv.bias)
        ref.out_proj.weight.copy_(ours.o.weight)
        ref.out_proj.bias.copy_(ours.o.bias)
    x = torch.randn(3, 5, 8)
    out, w = ours(x, x, causal_mask(5))
    ref_out, ref_w = ref(x, x, x, attn_mask=~causal_mask(5), average_attn_weights=False)
    assert torch.allclose(out, ref_out, atol=1e-6)
    assert torch.allclose(w, ref_w, atol=1e-6)


def test_fused_self_attention_path_equals_the_cross_attention_path():
    torch.manual_seed(2)
    mha = MultiHeadAttention(d_model=8, n_heads=2)
    x = torch.randn(3, 5, 8)
    fused, w1 = mha(x, x, causal_mask(5))  # one (3D, D) product
    split, w2 = mha(x, x.clone(), causal_mask(5))  # queries and keys/values projected apart
    assert torch.allclose(fused, split, atol=1e-6) and torch.allclose(w1, w2, atol=1e-6)


def test_sinusoidal_encoding_closed_form():
    pe = sinusoidal_encoding(10, 6)
    for t in range(10):
        for i in range(3):
            assert pe[t, 2 * i].item() == pytest.approx(math.sin(t / 10000 ** (2 * i / 6)), abs=1e-5)
            assert pe[t, 2 * i + 1].item() == pytest.approx(math.cos(t / 10000 ** (2 * i / 6)),
                                                            abs=1e-5)


@pytest.mark.parametrize("arch", ["decoder", "encdec"])
def test_causal_mask_future_tokens_change_no_earlier_output(arch):
    torch.manual_seed(0)
    m = Transformer(vocab=9, arch=arch, n_layers=2, n_heads=2, d_model=16, d_ff=32).eval()
    src = torch.randint(0, 9, (1, 5)) if arch == "encdec" else None
    a = torch.randint(0, 9, (1, 8))
    b = a.clone()
    b[0, 5:] = (a[0, 5:] + 1) % 9  # change tokens 5, 6, 7
    la, _ = m(src, a)
    lb, _ = m(src, b)
    assert torch.allclose(la[0, :5], lb[0, :5], atol=1e-6)
    assert not torch.allclose(la[0, 5:], lb[0, 5:], atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["encdec", "decoder"])
def test_held_out_sources_never_appear_in_training(arch):
    t = TransformerTrainer(TransformerConfig(seq_len=4, vocab=26, arch=arch), 0)
    keys = t.test_keys
    assert keys is not None and len(t.test_src) == HELD_OUT
    for _ in range(10):
        enc_in, dec_in, _, _ = t.train_batch()
        src = enc_in if arch == "encdec" else dec_in[:, :4]  # decoder-only: source, sep, target
        assert src.shape == (64, 4)
        assert not set(t.task.key(src.numpy()).tolist()) & keys


# ---- config ----------------------------------------------------------------------------------
def test_defaults_presets_and_experiments_validate():
    assert validate(TransformerConfig()) == []
    for p in PRESETS + EXPERIMENTS:
        assert validate(apply_overrides(TransformerConfig(), p.overrides)) == [], p.name
    assert 3 <= len(EXPERIMENTS) <= 5 and all(e.question and e.watch for e in EXPERIMENTS)


def test_problems_name_the_fix():
    p = validate(TransformerConfig(d_model=30, n_heads=4))
    # 30 is off the slider's step of 8, so only a d_model on the slider is offered
    assert "d_model 30 is not divisible by 4 heads: pick d_model 32." in p
    p = validate(TransformerConfig(d_model=24, n_heads=5))
    assert "d_model 24 is not divisible by 5 heads: pick d_model 40 or 6 heads." in p
    p = validate(TransformerConfig(task="charlm", arch="encdec"))
    assert any("pick the decoder architecture" in x for x in p)
    p = validate(TransformerConfig(d_model=30, n_heads=5, pos="sinusoidal"))
    assert p == []  # 30 is even and divisible by 5
    p = validate(TransformerConfig(d_model=33, n_heads=3))
    assert any("must be even" in x for x in p)


# ---- trainer ---------------------------------------------------------------------------------
def test_same_seed_same_run_and_warmup_schedule():
    cfg = TransformerConfig(n_layers=1, d_model=16, d_ff=32, batch_size=16, warmup=10)
    a, b = TransformerTrainer(cfg, 3), TransformerTrainer(cfg, 3)
    a.run_steps(4)
    b.run_steps(4)
    assert a.history.series("loss")[1].tolist() == b.history.series("loss")[1].tolist()
    assert a.opt.param_groups[0]["lr"] == pytest.approx(cfg.lr * 4 / 10)
    a.apply_live(cfg.replace(lr=1e-3, warmup=0))
    a.run_steps(1)
    assert a.opt.param_groups[0]["lr"] == pytest.approx(1e-3)


def test_tiny_batch_overfits():
    cfg = TransformerConfig(task="reverse", seq_len=5, vocab=6, n_layers=1, d_model=32, d_ff=64,
                            lr=3e-3, warmup=0)
    t = TransformerTrainer(cfg, 0)
    src, tgt = t.task.sample(np.random.default_rng(5), 8)
    batch = t.seq2seq_inputs(src, tgt)
    t.train_batch = lambda: batch
    t.run_steps(150)
    assert t.history.last("loss") < 0.05
    assert t.history.last("train_token_acc") == 1.0


@pytest.mark.parametrize("arch", ["encdec", "decoder"])
def test_snapshot_is_small_numpy_and_decodes_the_example(arch):
    t = TransformerTrainer(TransformerConfig(arch=arch, n_layers=6, n_heads=8), 0)
    t.run_steps(2)
    t.set_example("01234567")
    snap = t.snapshot()
    assert isinstance(snap, TransformerSnapshot) and snap.decoded and snap.step == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.step = 3
    for f in dataclasses.fields(snap):  # numpy arrays and plain values, no 0-d arrays
        v = getattr(snap, f.name)
        assert v is None or isinstance(v, (int, str, tuple)) or (
            isinstance(v, np.ndarray) and v.ndim >= 1), f.name
    assert snap.nbytes < 200_000 and snap.itos == tuple(t.itos)
    assert snap.src.tolist() == list(range(8)) and snap.want.tolist() == list(range(7, -1, -1))
    assert snap.out.shape == (8,) and snap.probs.shape == (8,)
    assert snap.correct == (snap.out.tolist() == snap.want.tolist())
    T = 8 if arch == "encdec" else 16
    assert snap.dec.shape == (6, 8, T, T) and snap.dec.dtype == np.uint8
    if arch == "encdec":
        assert snap.cross.shape == (6, 8, 8, 8) and snap.enc.shape == (6, 8, 8, 8)
    else:
        assert snap.cross.shape == snap.enc.shape == (0, 0, 0, 0)
    # decoding is greedy: the same as the argmax of a teacher-forced pass over its own output
    enc_in, dec_in, _, off = t.seq2seq_inputs(snap.src[None], snap.out[None])
    logits, _ = t.logits(enc_in, dec_in, off)
    assert logits.argmax(-1)[0].tolist() == snap.out.tolist()
    with pytest.raises(ValueError, match="8 symbols"):
        t.set_example("123")


def test_checkpoint_round_trip_gives_the_same_model():
    t = TransformerTrainer(TransformerConfig(n_layers=1, d_model=16, d_ff=32), 0)
    t.run_steps(3)
    u = TransformerTrainer.load_bytes(t.save_bytes())
    assert u.step == 3
    assert t.accuracy(50) == u.accuracy(50)


@pytest.mark.slow
def test_reverse_is_learned():
    """Whole-sequence accuracy on held-out reversals crosses 0.9 within 500 steps."""
    t = TransformerTrainer(TransformerConfig(), 0)
    while t.step < 500:
        t.run_steps(50)
        if t.accuracy()["seq_acc"] >= 0.9:
            break
    assert t.accuracy()["seq_acc"] >= 0.9


@pytest.mark.slow
def test_reverse_without_positions_stays_low():
    t = TransformerTrainer(apply_overrides(TransformerConfig(), EXPERIMENTS[0].overrides), 0)
    t.run_steps(150)
    assert t.history.last("loss") < 1.9  # it learns what it can: which symbols occur
    assert t.accuracy()["seq_acc"] < 0.05


@pytest.mark.slow
def test_char_lm_learns_and_samples():
    cfg = TransformerConfig(task="charlm", arch="decoder", n_layers=2, d_model=64, d_ff=128,
                            batch_size=16, block_size=32, lr=3e-3, warmup=20)
    t = TransformerTrainer(cfg, 0)
    start = t.accuracy()["val_loss"]
    assert start > 3.5  # about ln(61) = 4.1 before training
    t.run_steps(300)
    assert t.accuracy()["val_loss"] < 2.6
    snap = t.snapshot()
    assert not snap.decoded and snap.out is None and snap.correct is None
    assert isinstance(snap.sample, str) and len(snap.sample) == 160
    assert set(snap.sample) <= set(t.itos) and snap.prompt == "MENENIUS:\n"
    assert TF.sample_text(snap) == "MENENIUS:\n" + snap.sample
    assert snap.dec.shape == (2, 4, 10, 10)  # the prompt "MENENIUS:\n"
    assert snap.enc.shape == snap.cross.shape == (0, 0, 0, 0)


def test_custom_text_trainer():
    rng = random.Random(0)
    text = "".join(rng.choice("ab c\n") for _ in range(3000))
    cfg = TransformerConfig(task="charlm", arch="decoder", text="custom", n_layers=1,
                            d_model=16, d_ff=32, block_size=16)
    t = TransformerTrainer(cfg, 0, text=text)
    assert t.itos == ["\n", " ", "a", "b", "c"]
    t.run_steps(2)
    with pytest.raises(ValueError, match="pasted or uploaded"):
        TransformerTrainer(cfg, 0)


# ---- figures ---------------------------------------------------------------------------------
def _snap(arch="encdec", layers=2, heads=4):
    t = TransformerTrainer(TransformerConfig(arch=arch, n_layers=layers, n_heads=heads), 0)
    t.run_steps(1)
    return t, t.snapshot()


def test_attention_figure_tiles_every_layer_and_head():
    maps = np.random.default_rng(0).random((3, 2, 4, 5)).astype(np.float32)
    fig = TF.attention_figure(maps, list("abcd"), list("vwxyz"), "t")
    z = np.asarray(fig.data[0].z, dtype=np.float32)
    assert z.shape == (3 * 5 - 1, 2 * 6 - 1)
    assert np.allclose(z[5:9, 6:11], maps[1, 1])  # layer 2, head 2
    assert list(fig.layout.xaxis.ticktext) == list("vwxyz") * 2
    assert list(fig.layout.yaxis.ticktext) == list("abcd") * 3
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["head 1", "head 2", "layer 1", "layer 2", "layer 3"]


@pytest.mark.parametrize("arch,names", [
    ("encdec", ["Encoder self-attention", "Decoder masked self-attention", "Cross-attention"]),
    ("decoder", ["Masked self-attention"])])
def test_attention_views_label_tokens(arch, names):
    t, snap = _snap(arch)
    views = TF.attention_views(snap, arch)
    assert [n for n, _ in views] == names
    fig = views[-1][1]
    src = [t.itos[i] for i in snap.src]
    assert list(fig.layout.xaxis.ticktext)[:8] == src


@pytest.mark.parametrize("arch", ["encdec", "decoder"])
def test_try_it_rows_are_output_tokens_and_rows_sum_to_at_most_one(arch, plotly_checked):
    t, snap = _snap(arch)
    w, rows, cols = TF.output_attention(snap, arch)
    assert w.shape == (8, len(cols)) and len(rows) == 8
    assert rows[0].startswith("1. ") and "%" in rows[0]
    assert (w.sum(1) <= 1.0 + 0.02).all()
    if arch == "encdec":
        assert np.allclose(w.sum(1), 1.0, atol=0.02)
    fig = TF.try_it_figure(snap, arch)
    assert list(fig.layout.yaxis.ticktext) == rows


def test_pe_similarity_is_the_gram_matrix_and_embedding_points_are_labelled():
    pe = sinusoidal_encoding(12, 8).numpy()
    fig = TF.pe_similarity_figure(pe)
    assert np.allclose(np.asarray(fig.data[0].z), pe @ pe.T, atol=1e-5)
    assert np.allclose(np.diag(pe @ pe.T), 4.0)  # d/2 sine-cosine pairs of norm 1
    assert TF.pe_matrix_figure(pe).data[0].z.shape == (12, 8)
    t, snap = _snap()
    fig = TF.embedding_figure(snap.emb_pca, TF.token_labels(range(len(t.itos)), t.itos),
                              snap.emb_var)
    assert list(fig.data[0].text) == t.itos
    assert "% of variance" in fig.layout.xaxis.title.text
    paused = TF.paused_figures(snap)
    assert list(paused) == ["pe", "pesim", "emb"]
    assert list(paused["emb"].data[0].text) == t.itos


@pytest.mark.parametrize("arch,keys", [("encdec", ["loss", "accuracy", "try_it", "attention"]),
                                       ("decoder", ["loss", "accuracy", "try_it", "attention"])])
def test_live_figures_are_the_declared_charts_the_example_and_one_attention(arch, keys):
    t = TransformerTrainer(TransformerConfig(arch=arch, n_layers=1, d_model=16, d_ff=32), 0)
    snap = t.record_snapshot(force=True)
    figs = TF.live_figures(snap, t.history, t.config)  # step 0: no curves, no decoding
    assert list(figs) == ["attention"]
    t.try_input("76543210")  # a typed input is decoded even before training
    figs = TF.live_figures(t.timeline.latest()[1], t.history, t.config)
    assert list(figs) == ["try_it", "attention"]
    t.run_steps(1)  # no evaluation yet: the accuracy chart has the training accuracy only
    figs = TF.live_figures(t.record_snapshot(force=True), t.history, t.config)
    assert list(figs) == keys
    assert {r["metric"] for r in chart_rows(figs["loss"])} == {"Training loss"}
    t.eval_every = 2
    t.run_steps(3)  # one evaluation
    snap = t.record_snapshot(force=True)
    figs = TF.live_figures(snap, t.history, t.config, upto=2)
    assert figs["loss"]["title"] == "Cross-entropy" and figs["accuracy"]["title"] == "Accuracy"
    loss = {(r["metric"], r["step"]) for r in chart_rows(figs["loss"])}
    assert loss == {("Training loss", 1), ("Training loss", 2), ("Held-out loss", 2)}  # upto=2
    assert figs["loss"]["layer"][0]["encoding"]["y"]["title"] == "nats per token"
    assert figs["loss"]["layer"][0]["encoding"]["y"]["scale"] == {"type": "log"}
    acc = {r["metric"] for r in chart_rows(figs["accuracy"])}
    assert acc == {"Held-out token accuracy", "Held-out sequence accuracy",
                   "Training token accuracy"}
    kinds = TF.attention_kinds(snap, arch)
    assert figs["attention"].layout.meta["kind"].startswith(kinds[0].split(" ")[0])
    last = TF.live_figures(snap, t.history, t.config, attention=kinds[-1])["attention"]
    assert last.layout.meta["kind"].startswith(kinds[-1].split(":")[0])
    assert TF.example_line(snap).startswith("**Input** `")


def test_live_figures_of_the_character_model_have_no_decoded_example():
    cfg = TransformerConfig(task="charlm", n_layers=1, d_model=16, d_ff=32, block_size=16)
    t = TransformerTrainer(cfg, 0)
    t.run_steps(1)
    figs = TF.live_figures(t.record_snapshot(force=True), t.history, cfg)
    assert list(figs) == ["loss", "accuracy", "attention"]
    assert {r["metric"] for r in chart_rows(figs["accuracy"])} == {"Training token accuracy"}


# ---- metric declarations and the typed input -------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS + EXPERIMENTS, ids=lambda p: p.name)
def test_every_emitted_metric_is_declared(preset):
    cfg = apply_overrides(TransformerConfig(), preset.overrides).replace(
        n_layers=1, d_model=16, d_ff=32, batch_size=8)
    t = TransformerTrainer(cfg, 0)
    t.eval_every = 1
    t.run_steps(1)  # train_step and evaluate
    names = t.history.names()
    assert {"loss", "train_token_acc", "val_loss", "token_acc"} <= set(names)
    assert ("seq_acc" in names) == cfg.generated
    assert undeclared(TransformerTrainer.metrics, names) == []
    assert undeclared(TransformerTrainer.metrics, t.accuracy(8)) == []


@pytest.mark.parametrize("preset", PRESETS + EXPERIMENTS, ids=lambda p: p.name)
def test_input_hint_is_an_input_the_model_accepts(preset):
    cfg = apply_overrides(TransformerConfig(), preset.overrides).replace(
        n_layers=1, d_model=16, d_ff=32)
    t = TransformerTrainer(cfg, 0)
    hint = t.input_hint()
    if cfg.generated:
        assert hint.startswith("e.g. ")
        assert len(t.task.encode(hint[5:])) == t.task.src_len
    else:
        assert hint == f"a prompt of up to {cfg.block_size} characters"


def test_add_hint_fits_short_numbers():
    t = TransformerTrainer(TransformerConfig(task="add", seq_len=2, n_layers=1, d_model=16,
                                             d_ff=32), 0)
    assert t.input_hint() == "e.g. 12+98"


def test_typed_input_becomes_the_example_once_and_bad_input_changes_nothing():
    t = TransformerTrainer(TransformerConfig(task="sort", seq_len=6, vocab=3, n_layers=1,
                                             d_model=16, d_ff=32), 0)
    t.record_snapshot(force=True)
    before = t.example.copy()
    with pytest.raises(ValueError, match="Expect 6 symbols"):
        t.try_input("21")
    assert t.example.tolist() == before.tolist() and t.typed is None
    assert t.try_input("2 1 0 2 1 0") is True
    assert t.typed == "2 1 0 2 1 0" and t.example.tolist() == [2, 1, 0, 2, 1, 0]
    snap = t.timeline.latest()[1]
    assert snap.src.tolist() == [2, 1, 0, 2, 1, 0] and snap.want.tolist() == [0, 0, 1, 1, 2, 2]
    n = len(t.timeline.steps())
    t.run_steps(1)
    assert t.try_input("2 1 0 2 1 0") is False  # the same text again (a rerun): no new work
    assert len(t.timeline.steps()) == n
    assert t.try_input("000111") is True and t.timeline.latest()[1].src.tolist() == [0] * 3 + [1] * 3


def test_diagram_follows_layers_heads_and_architecture():
    import re
    dot = TF.diagram(TransformerConfig(arch="encdec", n_layers=3, n_heads=2))
    assert len(re.findall(r"head \d", dot)) == 2 * 3 * 2  # heads in encoder and decoder layers
    assert dot.count("cross-attention") == 3 and dot.startswith("digraph")
    assert dot.count("cluster_") == 6
    dot = TF.diagram(TransformerConfig(arch="decoder", n_layers=1, n_heads=5, norm="post"))
    assert len(re.findall(r"head \d", dot)) == 5 and "cross-attention" not in dot
    assert "→ LN" in dot
