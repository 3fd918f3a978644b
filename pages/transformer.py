"""Transformers: every attention head drawn live while the model learns a task."""
import hashlib

import streamlit as st

from core.transformer import config as C
from core.transformer import data as D
from core.transformer import figures as F
from core.transformer import model as M
from core.transformer import trainer as T
from ui import LiveState, Page, View, chart

page = Page("transformer", C.TransformerConfig, T.TransformerTrainer, title="🔭 Transformers",
            caption="Attention is all you need (Vaswani et al. 2017), small enough to train in "
                    "your browser: watch every layer × head form its pattern.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=[M.attention, M.MultiHeadAttention, M.sinusoidal_encoding, M.DecoderLayer,
                  M.Transformer, T.TransformerTrainer.train_step, T.TransformerTrainer.decode])
cfg, run, problems = page.sidebar()

custom_text, text_id = None, None
if cfg.task == "charlm" and cfg.text == "custom":
    with st.container(border=True):
        st.markdown("**Your text** — UTF-8, at most 1 MB, at least 2,000 characters.")
        up = st.file_uploader("Upload a .txt file", type=["txt"], key="_tr_upload")
        pasted = st.text_area("…or paste it here", key="_tr_paste", height=120)
        raw = up.getvalue() if up is not None else pasted.encode("utf-8")
        text, text_problems = D.check_text(raw) if raw else (None, ["Paste or upload a text."])
        problems.extend(text_problems)
        if text is not None:
            custom_text, text_id = text, hashlib.sha1(text.encode()).hexdigest()  # new: rebuild
            st.caption(f"{len(text):,} characters, {len(set(text))} different.")


def try_it(s: LiveState) -> None:
    """The "Try it" box in the control row: the input every figure below decodes."""
    t = s.trainer
    if t.config.generated:
        hint = "e.g. " + ("123+456"[: 2 * t.config.seq_len + 1] if t.config.task == "add"
                          else "".join(t.itos[i % (len(t.itos) - 1)]
                                       for i in range(t.config.seq_len)))
    else:
        hint = f"a prompt of up to {t.config.block_size} characters"
    typed = st.text_input("Try it: type an input", key="_tr_try", placeholder=hint,
                          help="The model decodes it token by token; the heatmaps show the "
                               "attention behind every output token.")
    if typed and getattr(t, "typed", None) != typed:
        try:
            with s.lock:
                t.set_example(typed)
                t.typed = typed
                t.record_snapshot(force=True)
        except ValueError as e:
            st.warning(str(e))


def draw(view: View) -> None:
    snap, t = view.snapshot, view.trainer
    if snap is None:
        return
    arch, itos = t.config.arch, t.itos
    left, right = st.columns(2)
    long = view.history()
    with left:
        chart(F.loss_chart(long, marker_step=view.upto))
    with right:
        chart(F.accuracy_chart(long, marker_step=view.upto))

    if "out" in snap:  # generated task: the decoded example
        src = "".join(F.token_labels(snap["src"], itos))
        out = "".join(F.token_labels(snap["out"], itos))
        want = "".join(F.token_labels(t.task.target(snap["src"][None])[0], itos))
        verdict = "✅ correct" if out == want else f"❌ expected `{want}`"
        st.markdown(f"**Input** `{src}` → **output** `{out}` {verdict}")
        st.plotly_chart(F.try_it_figure(snap, itos, arch), width="stretch", key="_tr_tryfig")
    else:
        st.markdown(f"**Sample** (temperature {t.config.temperature:g}, top-k "
                    f"{t.config.top_k}, prompt `ROMEO:`), redrawn every {T.SAMPLE_EVERY} steps:")
        st.code("ROMEO:\n" + str(snap["sample"]), language=None, wrap_lines=True, height=240)

    names = F.attention_kinds(snap, arch)
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
    [(_, fig)] = F.attention_views(snap, itos, arch, only=kind if kind in names else names[0])
    st.plotly_chart(fig, width="stretch", key="_tr_att")

    with st.expander("Positions and token embeddings"):
        if view.playing:  # three more figures per tick would slow training: drawn on pause
            st.caption("Pause to draw the positional encodings and the token embeddings.")
            return
        a, b, c = st.columns(3)
        a.plotly_chart(F.pe_matrix_figure(snap["pe"]), width="stretch", key="_tr_pe")
        b.plotly_chart(F.pe_similarity_figure(snap["pe"]), width="stretch", key="_tr_pesim")
        c.plotly_chart(F.embedding_figure(snap["emb_pca"],
                                          F.token_labels(range(len(itos)), itos),
                                          snap["emb_var"]), width="stretch", key="_tr_emb")


page.body(draw, controls=try_it, data_key=text_id,
          make=lambda c, seed: T.TransformerTrainer(c, seed=seed, text=custom_text))
