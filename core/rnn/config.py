"""Hyperparameters of the recurrent-network page, its presets and one-click experiments."""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param
from core.tasks import TASKS as SHARED

__all__ = ["RNNConfig", "PRESETS", "EXPERIMENTS", "TASKS", "SEQ2SEQ", "SHARED"]

SEQ2SEQ = SHARED + ("dates",)
TASKS = ("adding", "recall") + SEQ2SEQ + ("charlm",)
_S2S = {"task": SEQ2SEQ}
_LM = {"task": ("charlm",)}


@dataclass(frozen=True)
class RNNConfig(Config):
    # ---- data
    task: str = param(
        "adding", label="Task", choices=TASKS, group="Data",
        help="adding: sum the two marked numbers of a long sequence. recall: repeat symbols "
             "after a delay. copy/reverse/sort/add/dates: sequence to sequence (dates: "
             "'mar 3 98' to 1998-03-03). charlm: predict the next character of a text.")
    T: int = param(50, label="Sequence length T", min=10, max=200, step=10, group="Data",
                   visible_if={"task": ("adding",)},
                   help="Steps between the first marked number and the answer can reach T.")
    n_recall: int = param(5, label="Symbols to recall", min=1, max=10, step=1, group="Data",
                          visible_if={"task": ("recall",)},
                          help="How many symbols the network must remember.")
    delay: int = param(10, label="Delay", min=0, max=100, step=5, group="Data",
                       visible_if={"task": ("recall",)},
                       help="Blank steps between the symbols and the signal to recall them.")
    seq_len: int = param(8, label="Sequence length", min=2, max=16, step=1, group="Data",
                         visible_if={"task": SHARED},
                         help="Symbols per sequence; for add, digits per number.")
    vocab: int = param(8, label="Vocabulary", min=2, max=26, step=1, group="Data",
                       visible_if={"task": ("recall", "copy", "reverse", "sort")},
                       help="How many different symbols a sequence draws from.")
    text: str = param("shakespeare", label="Text", choices=("shakespeare", "custom"),
                      group="Data", visible_if=_LM,
                      help="The shipped Shakespeare excerpt, or a text you paste or upload.")
    block_size: int = param(64, label="Characters per window", min=16, max=256, step=16,
                            group="Data", visible_if=_LM,
                            help="Backpropagation through time covers this many steps.")
    # ---- model
    cell: str = param("lstm", label="Cell", choices=("rnn", "lstm", "gru"),
                      help="rnn: tanh RNN (Elman). lstm: gated cell state (Hochreiter & "
                           "Schmidhuber). gru: update and reset gates (Cho et al.).")
    layers: int = param(1, label="Layers", min=1, max=3, step=1,
                        help="Stacked recurrent layers (encoder and decoder).")
    hidden: int = param(64, label="Hidden size", min=8, max=512, step=8,
                        help="Units in each recurrent layer.")
    embedding: int = param(32, label="Embedding size", min=4, max=256, step=4,
                       visible_if={"task": ("recall",) + SEQ2SEQ + ("charlm",)},
                       help="Width of each token's vector.")
    bidirectional: bool = param(False, label="Bidirectional encoder",
                                help="A second RNN reads the input backwards; their states "
                                     "are concatenated.")
    attention: str = param("additive", label="Attention",
                           choices=("none", "additive", "multiplicative"), visible_if=_S2S,
                           help="none: the decoder only gets the encoder's final state. "
                                "additive: Bahdanau et al. multiplicative: Luong et al.")
    forget_bias: float = param(1.0, label="Forget-gate bias", min=-5.0, max=5.0, step=0.5,
                               visible_if={"cell": ("lstm",)},
                               help="Initial bias of the LSTM forget gate: 1 remembers by "
                                    "default (sigmoid 0.73); negative values forget fast.")
    dropout: float = param(0.0, label="Dropout", min=0.0, max=0.5, step=0.05,
                           help="Dropout between stacked layers and before the output layer.")
    # ---- training
    optimizer: str = param("adam", label="Optimiser", choices=("adam", "sgd"), group="Training",
                           help="adam: per-weight step sizes (Kingma & Ba). sgd: plain "
                                "gradient steps with momentum 0.9, where an exploding gradient "
                                "becomes an exploding step.")
    lr: float = param(1e-2, label="Learning rate", min=1e-5, max=3.0, scale="log",
                      group="Training", live=True, above_max="default",
                      help="Step size of the optimiser.")
    batch_size: int = param(64, label="Batch size", min=4, max=256, step=4, group="Training",
                            help="Sequences per step.")
    clip: bool = param(True, label="Clip gradients", group="Training", live=True,
                       help="Rescale the gradient when its norm exceeds the clipping norm "
                            "(Pascanu et al. 2013).")
    clip_norm: float = param(1.0, label="Clipping norm", min=0.1, max=10.0, step=0.1,
                             group="Training", live=True, visible_if={"clip": (True,)},
                             help="Largest gradient norm allowed.")
    teacher_forcing: float = param(1.0, label="Teacher forcing", min=0.0, max=1.0, step=0.1,
                                   group="Training", live=True, visible_if=_S2S,
                                   help="Chance that the decoder reads the true previous "
                                        "token while training (else its own guess).")
    temperature: float = param(0.8, label="Sample temperature", min=0.1, max=2.0, step=0.1,
                               group="Training", live=True, visible_if=_LM,
                               help="Below 1 samples are safer, above 1 more surprising.")
    example: int = param(0, label="Example shown", min=0, max=99, step=1, group="Training",
                         live=True, help="Which held-out example the state and gradient "
                                         "figures follow.")

    @property
    def seq2seq(self) -> bool:
        return self.task in SEQ2SEQ

    def uploaded(self) -> str | None:
        return "text" if self.text == "custom" else None

    def problems(self) -> list[str]:
        out = []
        if self.task == "charlm" and self.bidirectional:
            out.append("A bidirectional network reads the next character before predicting "
                       "it: turn off the bidirectional encoder for charlm.")
        if self.task == "add" and self.seq_len > 6:
            out.append(f"Addition takes at most 6-digit numbers, not {self.seq_len}: pick "
                       "sequence length 6 or less.")
        steps = {"adding": self.T, "recall": 2 * self.n_recall + self.delay + 1,
                 "charlm": self.block_size}.get(self.task, 30)
        cost = self.layers * self.hidden * steps * self.batch_size
        if cost > 64 * 3 * 256 * 200:
            out.append(f"{self.layers} layers × {self.hidden} units × {steps} steps × batch "
                       f"{self.batch_size} is too slow to train live: halve the batch size or "
                       "the hidden size.")
        return out


PRESETS = [
    Preset("default: LSTM on adding, T = 50", {}),
    Preset("GRU on adding, T = 50", {"cell": "gru"}),
    Preset("tanh RNN on adding, T = 50", {"cell": "rnn"}),
    Preset("delayed recall: 5 symbols, delay 20", {"task": "recall", "delay": 20}),
    Preset("dates with additive attention", {"task": "dates", "hidden": 128,
                                             "bidirectional": True}),
    Preset("reverse 8 symbols with attention", {"task": "reverse", "vocab": 10}),
    Preset("character LM: Shakespeare", {"task": "charlm", "hidden": 256, "embedding": 64,
                                         "lr": 3e-3, "batch_size": 32}),
]

#: where each experiment's promise is checked
CLAIMS = "tests/test_claims_rnn.py::"

EXPERIMENTS = [
    Preset("RNN vs LSTM on adding, T = 50", {"task": "adding", "T": 50, "cell": "rnn"},
           question="Can a tanh RNN carry a number across 50 steps? Run this, then pick the "
                    "LSTM preset.",
           watch="The RNN's test MSE never gets below 0.14 in 800 steps: it answers about the "
                 "mean, on the 0.167 line (an overshooting update can briefly throw it far "
                 "above). After 800 steps its ‖∂L/∂h_t‖ is over a million times smaller at "
                 "t = 1 than at t = 50: the first marked number is out of the gradient's reach. "
                 "The LSTM's curve starts as steep (over 10⁴ at step 100) but flattens as it "
                 "learns: by step 800 it varies by less than a factor of 20 from t = 1 to "
                 "t = 50, and its MSE is below 0.01 by step 600 (seeds 0-2).",
           test=CLAIMS + "test_rnn_tanh_rnn_stays_at_the_mean_and_the_lstm_gradient_flattens"),
    Preset("No clipping: SGD at learning rate 1", {"task": "adding", "optimizer": "sgd",
                                                    "lr": 1.0, "clip": False},
           question="What does gradient clipping protect against?",
           watch="Within 10 steps the gradient norm passes 10⁴ and training stops with a "
                 "divergence message (seeds 0-2): each exploding gradient became an exploding "
                 "step. Turn clipping on and press reset: the same learning rate stays finite "
                 "for 300 steps (it learns nothing at this rate, but it does not blow up). A "
                 "clipped gradient step is at most lr × the clipping norm long; momentum 0.9 "
                 "adds up past steps, so a parameter step can be longer than that (it is, on "
                 "every seed), but never longer than ten times it, lr × norm / (1 − 0.9). "
                 "(Adam, the default, rescales its steps itself and suffers far less.)",
           test=CLAIMS + "test_rnn_sgd_without_clipping_diverges_and_clipping_bounds_the_step"),
    Preset("Dates without attention", {"task": "dates", "attention": "none", "hidden": 128,
                                       "bidirectional": True},
           question="How far does one fixed-size vector carry a whole date? Compare with "
                    "the attention preset.",
           watch="Exact match stays at 0 after 200 steps, where the attention preset already "
                 "writes at least 90 % of the held-out dates exactly (seeds 0-2), and there is "
                 "no alignment to look at: everything goes through the final state.",
           test=CLAIMS + "test_rnn_dates_need_attention"),
    Preset("Forget-gate bias -3 on adding, T = 50", {"task": "adding", "T": 50,
                                                      "forget_bias": -3.0},
           question="LSTMs usually start with a positive forget-gate bias (here 1) so that "
                    "the cell remembers by default. What happens if it starts forgetful?",
           watch="The forget-gate heatmap starts dark: sigmoid(-3) ≈ 0.05 wipes the cell "
                 "every step. Then watch the optimiser open it: the test MSE first falls below "
                 "0.15 after 500-750 steps, later than with bias 1 (300-600; seeds 0-2): a "
                 "small delay at T = 50. The bias is a starting point, not a constraint.",
           test=CLAIMS + "test_rnn_forget_bias_minus_3_only_delays_learning"),
    Preset("LSTM on the transformer's reversal", {"task": "reverse", "seq_len": 8,
                                                  "vocab": 10},
           question="The transformer page's default run reverses 8 symbols of 10. How many "
                    "steps does an LSTM encoder-decoder with attention need on the same task?",
           watch="No more: both pass 90 % held-out exact match within 150 steps of 64 "
                 "sequences (seeds 0-2). On sequences this short, recurrence costs nothing in "
                 "steps; what differs is the work inside a step: the LSTM walks the 8 source "
                 "and 8 target positions one after another, the transformer handles all "
                 "positions of a layer at once, which pays on long sequences and parallel "
                 "hardware.",
           test=CLAIMS + "test_rnn_lstm_reverses_in_as_few_steps_as_the_transformer"),
]
