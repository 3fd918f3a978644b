"""Recurrent networks: watch an RNN, an LSTM and a GRU remember, forget and align."""
import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.rnn import cells as K
from core.rnn import config as C
from core.rnn import figures as F
from core.rnn import model as M
from core.rnn import trainer as T
from ui import LiveState, Page, View, figure
from ui.uploads import own_text

page = Page("rnn", C.RNNConfig, T.RNNTrainer, title="Recurrent networks",
            caption="RNN, LSTM and GRU cells trained live: their gates over time, the gradient "
                    "that vanishes (or not) back through time, and attention in a "
                    "sequence-to-sequence model.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=lambda cfg: [K.CELLS[cfg.cell], K.unroll]
            + ([M.AdditiveAttention, M.MultiplicativeAttention, M.Seq2Seq.head]
               if cfg.seq2seq else []) + [T.RNNTrainer.train_step])
cfg, run, problems = page.sidebar()

custom_text, text_id = None, None
if cfg.task == "charlm" and cfg.text == "custom":
    custom_text, text_id = own_text("rnn", problems)


live: dict = {}  # this run's LiveState, for the trainer's lock inside draw


def try_it(s: LiveState) -> None:
    """Sequence-to-sequence tasks: type a source and see it decoded with its alignment."""
    live["state"] = s
    if not s.trainer.config.seq2seq:
        return
    c, itos = s.trainer.config, s.trainer.itos
    n = c.seq_len
    hint = "e.g. " + ("mar 3 98" if c.task == "dates" else f"{'123456'[:n]}+{'654321'[:n]}"
                      if c.task == "add" else "".join(itos[i % (len(itos) - 1)]
                                                      for i in range(n)))
    st.text_input("Try it: type an input", key="_rnn_try", placeholder=hint,
                  help="Decoded greedily, token by token, by the current model.")


def example_line(snap, t) -> str:
    if snap.prediction is not None:
        return (f"**Example {t.config.example}**: predicted sum **{snap.prediction:.3f}**, "
                f"true sum {snap.target_value:.3f} (always answering 1 scores MSE 0.167)")
    if snap.outputs:
        got, want = "".join(snap.outputs), "".join(snap.targets)
        verdict = (":material/check_circle:" if got == want
                   else f":material/cancel: expected `{want}`")
        src = "".join(snap.inputs[:40]) if t.config.task != "recall" else "".join(snap.inputs)
        return f"**Input** `{src}` → **output** `{got}` {verdict}"
    return ""


def draw(view: View) -> None:
    snap, t = view.snapshot, view.trainer
    figs = F.live_figures(snap, t.history, t.config, upto=view.upto)
    charts = [k for k in ("loss", "accuracy", "gradient_norm") if k in figs]
    for col, key in zip(st.columns(max(len(charts), 1)), charts):
        with col:
            figure(figs[key], f"_rnn_{key}")
    if snap is None:
        return
    if snap.sample:
        st.markdown(f"**Sample** at temperature {t.config.temperature:g}, redrawn every "
                    f"{T.SAMPLE_EVERY} steps:")
        st.code(snap.sample, language=None, wrap_lines=True, height=200)
    else:
        st.markdown(example_line(snap, t))
    typed = st.session_state.get("_rnn_try") if t.config.seq2seq else None
    if typed:
        try:
            with live["state"].lock:
                out = t.try_it(typed)
            st.markdown(f"**Try it** `{typed}` → `{''.join(out['outputs'])}`")
            if out["attention"] is not None:
                figure(F.alignment_figure(out["attention"], out["inputs"], out["outputs"],
                                          title="Try it: attention behind each output token"),
                       "_rnn_tryfig")
        except ValueError as e:
            st.warning(str(e))
    elif "attention" in figs:
        figure(figs["attention"], "_rnn_att")
    left, right = st.columns([3, 2])
    with left:
        figure(figs["states"], "_rnn_states")
    with right:
        figure(figs["gradient"], "_rnn_grad")
        st.caption("How much of the loss's gradient reaches the state at step t, averaged "
                   "over 32 held-out examples (log scale): a line falling to the left is a "
                   "vanishing gradient. Pick another example with *Example shown* in the "
                   "sidebar. Gates are in [0, 1]; h and c on a red-blue scale around 0.")


page.body(draw, controls=try_it, data_key=text_id,
          make=lambda c, seed: T.RNNTrainer(c, seed=seed, text=custom_text))
