"""Transformers: every attention head drawn live while the model learns a task."""

import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.transformer import config as C
from core.transformer import figures as F
from core.transformer import model as M
from core.transformer import trainer as T
from ui import LiveState, Page, View, figure, show
from ui.uploads import own_text

page = Page("transformer", C.TransformerConfig, T.TransformerTrainer, title="Transformers",
            caption="Attention is all you need (Vaswani et al. 2017), small enough to train "
                    "live on the server while you watch every layer × head form its pattern.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=[M.attention, M.MultiHeadAttention, M.sinusoidal_encoding, M.DecoderLayer,
                  M.Transformer, T.TransformerTrainer.train_step, T.TransformerTrainer.decode])
cfg, run, problems = page.sidebar()

custom_text, text_id = None, None
if cfg.task == "charlm" and cfg.text == "custom":
    custom_text, text_id = own_text("tr", problems)


def try_it(s: LiveState) -> None:
    """The "Try it" box in the control row: the input every figure below decodes."""
    typed = st.text_input("Try it: type an input", key="_tr_try",
                          placeholder=s.trainer.input_hint(),
                          help="The model decodes it token by token; the heatmaps show the "
                               "attention behind every output token.")
    if typed:
        try:
            with s.lock:
                s.trainer.try_input(typed)
        except ValueError as e:
            st.warning(str(e))


def draw(view: View) -> None:
    snap, cfg = view.snapshot, view.trainer.config
    if snap is None:
        return
    top = st.container()  # charts and the decoded example, above the attention picker
    names = F.attention_kinds(snap, cfg.arch)
    if len(names) > 1:
        kind = st.radio("Attention", names, horizontal=True, key="_tr_kind",
                        help="Rows are the positions that look (queries), columns the positions "
                             "they look at (keys). Each row sums to 1.")
    else:
        kind = names[0]
        st.caption("Rows are the positions that look (queries), columns the positions they "
                   "look at (keys); each row sums to 1. A decoder-only model has one causal "
                   "self-attention per layer: pick the encdec architecture to see encoder, "
                   "decoder and cross-attention apart.")
    figs = F.live_figures(snap, view.trainer.history, cfg, view.upto, attention=kind)
    with top:
        if "loss" in figs:
            show({k: figs[k] for k in ("loss", "accuracy")}, columns=2, prefix="_tr_")
        else:  # step 0: no curves yet, and a lighter first frame without two empty charts
            st.caption("Cross-entropy and accuracy curves appear here once training starts.")
        if snap.decoded:
            st.markdown(F.example_line(snap))
            if "try_it" in figs:
                figure(figs["try_it"], "_tr_tryfig")
        else:
            st.markdown(f"**Sample** (temperature {cfg.temperature:g}, top-k {cfg.top_k}, "
                        f"prompt `{snap.prompt.strip()}`), redrawn every {T.SAMPLE_EVERY} "
                        "steps:")
            st.code(F.sample_text(snap), language=None, wrap_lines=True, height=240)
    figure(figs["attention"], "_tr_att")

    # drawn only when opened, and not while playing: three more figures per tick would slow
    # training, and the first frame is lighter without them
    more = st.expander("Positions and token embeddings", key="_tr_more", on_change="rerun")
    if more.open:
        with more:
            if view.playing:
                st.caption("Pause to draw the positional encodings and the token embeddings.")
            else:
                show(F.paused_figures(snap), columns=3, prefix="_tr_")


page.body(draw, controls=try_it, data_key=text_id,
          make=lambda c, seed: T.TransformerTrainer(c, seed=seed, text=custom_text))
