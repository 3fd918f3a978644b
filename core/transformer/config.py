"""Hyperparameters of the transformer page, its presets and one-click experiments."""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param, specs

__all__ = ["TransformerConfig", "PRESETS", "EXPERIMENTS", "GENERATED", "TASKS"]

GENERATED = ("copy", "reverse", "sort", "add")
TASKS = GENERATED + ("charlm",)
_SEQ = {"task": GENERATED}
_SYM = {"task": ("copy", "reverse", "sort")}
_LM = {"task": ("charlm",)}


@dataclass(frozen=True)
class TransformerConfig(Config):
    # ---- data
    task: str = param(
        "reverse", label="Task", choices=TASKS, group="Data",
        help="copy, reverse, sort or add sequences (generated), or charlm: predict the next "
             "character of a text.")
    seq_len: int = param(
        8, label="Sequence length", min=2, max=16, step=1, group="Data", visible_if=_SEQ,
        help="Symbols per sequence; for add, digits per number.")
    vocab: int = param(
        10, label="Vocabulary", min=2, max=26, step=1, group="Data", visible_if=_SYM,
        help="How many different symbols a sequence draws from (digits, then letters).")
    lsd_first: bool = param(
        False, label="Sum least-significant digit first", group="Data",
        visible_if={"task": ("add",)},
        help="Write the sum backwards so the carry is known when each digit is written.")
    text: str = param(
        "shakespeare", label="Text", choices=("shakespeare", "custom"), group="Data",
        visible_if=_LM, help="The shipped Shakespeare excerpt, or a text you paste or upload.")
    block_size: int = param(
        64, label="Context length", min=8, max=128, step=8, group="Data", visible_if=_LM,
        help="Characters the model sees at once; attention cost grows with its square.")
    # ---- model
    arch: str = param(
        "decoder", label="Architecture", choices=("decoder", "encdec"),
        help="decoder: one causal stack reads the source, then writes the target (GPT; "
             "faster per step here). encdec: an encoder reads the source, a "
             "decoder writes the target through cross-attention (the 2017 transformer).")
    n_layers: int = param(2, label="Layers", min=1, max=6, step=1,
                          help="Blocks in each stack (encoder and decoder).")
    n_heads: int = param(4, label="Heads", min=1, max=8, step=1,
                         help="Attention heads per layer; d_model must divide by it.")
    d_model: int = param(64, label="d_model", min=8, max=256, step=8,
                         help="Width of every token vector.")
    d_ff: int = param(128, label="d_ff", min=8, max=1024, step=8,
                      help="Hidden width of the feed-forward sublayer (4 × d_model is usual).")
    dropout: float = param(0.0, label="Dropout", min=0.0, max=0.5, step=0.05,
                           help="Dropout on the embeddings, the attention weights and the residual "
                                "branches.")
    pos: str = param("sinusoidal", label="Positional encoding",
                     choices=("sinusoidal", "learned", "none"),
                     help="How positions enter: fixed sine waves, a learned table, or not at "
                          "all (an encoder then cannot tell order apart; a causal decoder "
                          "slowly works it out from its mask).")
    norm: str = param("pre", label="LayerNorm placement", choices=("pre", "post"),
                      help="pre: x + f(LN(x)), stable without warm-up. post: LN(x + f(x)), the "
                           "original, which needs warm-up at high learning rates.")
    tie_weights: bool = param(True, label="Tie input and output embeddings",
                              help="Use the token embedding matrix as the output layer too.")
    # ---- training
    lr: float = param(5e-3, label="Learning rate", min=1e-5, max=0.1, scale="log",
                      group="Training", live=True, above_max="default", help="Peak AdamW learning rate (constant after "
                                                        "warm-up).")
    warmup: int = param(100, label="Warm-up steps", min=0, max=2000, step=10, group="Training",
                        live=True, help="The learning rate rises linearly from 0 over these "
                                        "steps (0: no warm-up).")
    batch_size: int = param(64, label="Batch size", min=4, max=256, step=4, group="Training",
                            help="Sequences per step.")
    grad_clip: float = param(1.0, label="Gradient clip", min=0.0, max=10.0, step=0.5,
                             group="Training", live=True,
                             help="Largest gradient norm (0: no clipping).")
    temperature: float = param(0.8, label="Sample temperature", min=0.1, max=2.0, step=0.1,
                               group="Training", live=True, visible_if=_LM,
                               help="Below 1 samples are safer, above 1 more surprising.")
    top_k: int = param(10, label="Sample top-k", min=0, max=100, step=1, group="Training",
                       live=True, visible_if=_LM,
                       help="Sample among the k likeliest characters (0: all).")

    @property
    def generated(self) -> bool:
        return self.task in GENERATED

    def uploaded(self) -> str | None:
        return "text" if self.text == "custom" else None

    def _fits(self, d_model: int, n_heads: int) -> bool:
        """Whether this width and head count pass every rule below and sit on the sliders."""
        sp = {x.name: x for x in specs(type(self))}
        on_grid = all(sp[n].min <= v <= sp[n].max and (v - sp[n].min) % sp[n].step == 0
                      for n, v in (("d_model", d_model), ("n_heads", n_heads)))
        return (on_grid and d_model % n_heads == 0
                and (self.pos != "sinusoidal" or d_model % 2 == 0))

    def _nearest_d_model(self) -> int:
        """The slider's d_model closest to this one that fits the current heads."""
        sp = {x.name: x for x in specs(type(self))}["d_model"]
        grid = range(int(sp.min), int(sp.max) + 1, int(sp.step))
        return min((d for d in grid if self._fits(d, self.n_heads)),
                   key=lambda d: (abs(d - self.d_model), -d))

    def _nearest_heads(self) -> int | None:
        """The head count closest to this one that fits the current d_model (None: none)."""
        sp = {x.name: x for x in specs(type(self))}["n_heads"]
        ok = [h for h in range(int(sp.min), int(sp.max) + 1) if self._fits(self.d_model, h)]
        return min(ok, key=lambda h: (abs(h - self.n_heads), -h)) if ok else None

    def problems(self) -> list[str]:
        out = []
        # every suggestion is a value the sliders offer that passes all the rules here
        if self.d_model % self.n_heads:
            heads = self._nearest_heads()
            out.append(f"d_model {self.d_model} is not divisible by {self.n_heads} heads: pick "
                       f"d_model {self._nearest_d_model()}"
                       + (f" or {heads} heads." if heads is not None else "."))
        if self.pos == "sinusoidal" and self.d_model % 2:
            out.append(f"Sinusoidal encoding pairs sines and cosines, so d_model must be even, "
                       f"not {self.d_model}: pick {self._nearest_d_model()}.")
        if self.task == "charlm" and self.arch != "decoder":
            out.append("Character language modelling has no source sequence: pick the decoder "
                       "architecture.")
        if self.task == "add" and self.seq_len > 6:
            out.append(f"Addition takes at most 6-digit numbers, not {self.seq_len}: pick "
                       "sequence length 6 or less.")
        return out


PRESETS = [
    Preset("default: reverse 8 symbols", {}),
    Preset("encoder-decoder: reverse (cross-attention)", {"arch": "encdec", "lr": 3e-3}),
    Preset("tiny: copy", {"task": "copy", "seq_len": 6, "n_layers": 1, "n_heads": 2,
                          "d_model": 32, "d_ff": 64}),
    Preset("sort (minGPT demo)", {"task": "sort", "seq_len": 6, "vocab": 3}),
    Preset("addition with carries", {"task": "add", "seq_len": 3, "n_layers": 3,
                                     "d_model": 96, "d_ff": 192, "batch_size": 128}),
    Preset("character LM: Shakespeare", {"task": "charlm", "arch": "decoder", "n_layers": 3,
                                         "d_model": 96, "d_ff": 384, "n_heads": 4,
                                         "lr": 3e-3, "batch_size": 32, "dropout": 0.0}),
]

#: where each experiment's promise is checked
CLAIMS = "tests/test_experiment_claims.py::"

EXPERIMENTS = [
    Preset("No positions: reverse", {"task": "reverse", "pos": "none", "arch": "encdec"},
           question="Can a transformer reverse a sequence if it is never told where each "
                    "symbol sits?",
           watch="Sequence accuracy stays at 0 (still 0 after 1,000 steps) although the loss "
                 "falls: the decoder knows which output position it is writing, but the "
                 "encoder's outputs it reads are an unordered bag, so it learns which symbols "
                 "occur, not where. The cross-attention stays blurry instead of forming an "
                 "anti-diagonal.",
           test=CLAIMS + "test_tf_encdec_without_positions_never_reverses"),
    Preset("No positions, decoder-only: reverse", {"task": "reverse", "pos": "none",
                                                   "arch": "decoder"},
           question="The encoder-decoder without positions cannot reverse. Can a decoder-only "
                    "model without positions?",
           watch="Slowly, yes: the causal mask lets each token count how many tokens precede "
                 "it, so positions leak in. Sequence accuracy stays at 0 for about 600 steps, "
                 "then climbs to roughly 40-50 % by step 2,000 (with positions: over 90 % by "
                 "step 150).",
           test=CLAIMS + "test_tf_decoder_without_positions_reverses_slowly"),
    Preset("No positions: sort", {"task": "sort", "seq_len": 6, "vocab": 3, "pos": "none",
                                  "arch": "encdec"},
           question="Does sorting need positions?",
           watch="It still learns: sequence accuracy passes 80 % within about 250 steps and "
                 "reaches 100 % by 500. A sorted output only depends on how many of each "
                 "symbol there are, which attention can count without positions.",
           test=CLAIMS + "test_tf_sort_needs_no_positions"),
    Preset("One head vs four", {"task": "reverse", "n_heads": 1},
           question="How much do extra heads help on reverse? Compare with 4 heads (default).",
           watch="Hardly at all: reversing needs one look per output token (at the mirrored "
                 "source position), which a single head can make. One head passes 90 % "
                 "sequence accuracy within about 150-200 steps, four heads within about 150 "
                 "(seeds 0-2). Compare the heatmaps: the one head draws the anti-diagonal "
                 "itself; with four, look for heads that share it out or do little.",
           test=CLAIMS + "test_tf_one_head_reverses_about_as_fast_as_four"),
    Preset("Post-LN, high learning rate, no warm-up",
           {"task": "reverse", "norm": "post", "lr": 0.005, "warmup": 0, "grad_clip": 0.0,
            "n_layers": 4},
           question="Why did the original transformer need a warm-up?",
           watch="The loss stays at chance (ln 10 ≈ 2.3 nats) for at least 500 steps. Switch "
                 "LayerNorm placement to pre and press reset: the same learning rate passes "
                 "95 % sequence accuracy within about 200 steps. Or keep post-LN and add 100 "
                 "warm-up steps: above 95 % within about 300.",
           test=CLAIMS + "test_tf_post_ln_without_warmup_stays_at_chance"),
]
