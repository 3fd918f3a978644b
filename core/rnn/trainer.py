"""Live trainer of the recurrent-network page.

Training runs the fused torch modules. Snapshots re-run one held-out batch through the
written-out cells (:func:`core.rnn.cells.unroll`) with the same weights to read the hidden
states, cell states and gates of the chosen example, and ∂L/∂h_t for every t (the mean over
the batch of each example's norm), without touching the parameters' gradients.

Held-out sets: 1,000 sources drawn with their own seed; for the shared tasks and for dates,
sources (dates: calendar days) of the held-out set are never drawn for training.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from core.alarms import Alarm
from core.rnn.cells import GATES, unroll
from core.rnn.config import SHARED, RNNConfig
from core.rnn.data import BASELINE_MSE, Adding, Copy, Dates
from core.rnn.metrics import METRICS
from core.rnn.model import Regressor, Seq2Seq, Tagger
from core.rnn.snapshot import RNNSnapshot
from core.tasks import CharText, load_shipped_text, make_task
from core.training import Trainer

__all__ = ["RNNTrainer", "HELD_OUT", "BASELINE_MSE"]

HELD_OUT = 1000
GRAD_BATCH = 32  # held-out examples averaged in the gradient-norm curve
MAX_UNITS = 64  # units kept in the state heatmaps
PROMPT = "MENENIUS:\n"  # a speaker of the shipped text (ROMEO: never occurs in it)
SAMPLE_CHARS = 200
SAMPLE_EVERY = 250


class RNNTrainer(Trainer):
    config_cls = RNNConfig
    metrics = METRICS
    eval_every = 50
    #: Adam at lr 3 swings the adding loss between 10 and 1,000 and never comes back; a healthy
    #: run (SGD at lr 1 with clipping included) stays within twice the loss of answering the mean
    alarms = (Alarm("loss", above=lambda t: 10 * t.chance_loss, hold=20,
                    says="the training loss stayed above {limit:.3g}, ten times the loss of a "
                         "network that learnt nothing, for {hold} steps (now {value:.3g})"),)
    #: a snapshot unrolls the written-out cells and backpropagates through them: a few
    #: training steps' worth of work (core.training.Trainer.snapshot_every_s)
    snapshot_every_s = 1.0

    def __init__(self, config: RNNConfig, seed: int = 0, text: str | None = None):
        """``text``: the student's pasted or uploaded text, for ``text="custom"``."""
        self.custom_text = text
        super().__init__(config, seed)

    # ---- build ------------------------------------------------------------------------------
    def build(self) -> None:
        c: RNNConfig = self.config
        test_rng = np.random.default_rng(10_000 + self.seed)
        common = dict(hidden=c.hidden, layers=c.layers, bidirectional=c.bidirectional,
                      dropout=c.dropout, forget_bias=c.forget_bias if c.cell == "lstm" else None)
        self.exclude = None  # held-out keys never drawn for training
        self.add_optimizer("opt", self.make_optimizer, lr_field="lr")
        if c.task == "adding":
            self.data = Adding(c.T)
            self.itos = None
            self.model = Regressor(c.cell, 2, **common)
        elif c.task == "recall":
            self.data = Copy(c.n_recall, c.delay, c.vocab)
            self.itos = self.data.itos
            self.model = Tagger(c.cell, len(self.itos), c.embedding, **common)
        elif c.task in SHARED:
            self.data = make_task(c.task, c.seq_len, c.vocab)
            self.itos, self.start, self.pad = self.data.itos, self.data.sep, None
            self.model = Seq2Seq(c.cell, len(self.itos), c.embedding, attention=c.attention,
                                 **common)
        elif c.task == "dates":
            self.data = Dates()
            self.itos, self.start, self.pad = self.data.itos, Dates.START, Dates.PAD
            self.model = Seq2Seq(c.cell, len(self.itos), c.embedding, attention=c.attention,
                                 pad=Dates.PAD, **common)
        else:
            if c.text == "custom" and self.custom_text is None:
                raise ValueError("Expect a pasted or uploaded text for text=custom, actually none")
            self.data = CharText(self.custom_text if c.text == "custom" else load_shipped_text())
            self.itos = self.data.itos
            self.model = Tagger(c.cell, len(self.itos), c.embedding, **common)
            self.test_x, self.test_y = self.data.batch(np.random.default_rng(20_000), 32,
                                                       c.block_size, "val")
            self.sample_cache: tuple[int, float, str] | None = None
            return
        self.test_x, self.test_y = self.data.sample(test_rng, HELD_OUT)
        if c.task in SHARED and self.data.space > 20 * HELD_OUT:
            self.exclude = set(self.keys(self.test_x, self.test_y))
        elif c.task == "dates":
            self.exclude = set(self.keys(self.test_x, self.test_y))

    @property
    def chance_loss(self) -> float:
        """The loss of a network that learnt nothing: answering the mean (adding: the
        target's variance) or guessing uniformly among the output symbols."""
        return BASELINE_MSE if self.config.task == "adding" else math.log(len(self.itos))

    def keys(self, src: np.ndarray, tgt: np.ndarray) -> list:
        """One key per example: the source (shared tasks) or the calendar day (dates)."""
        if self.config.task == "dates":
            return [r.tobytes() for r in tgt]
        return self.data.key(src).tolist()

    def make_optimizer(self) -> torch.optim.Optimizer:
        """Adam or SGD with momentum, declared in ``build`` and built on the first step."""
        if self.config.optimizer == "sgd":
            return torch.optim.SGD(self.model.parameters(), lr=self.config.lr, momentum=0.9)
        return torch.optim.Adam(self.model.parameters(), lr=self.config.lr)

    # ---- batches ------------------------------------------------------------------------------
    def batch(self):
        c = self.config
        if c.task == "charlm":
            return self.data.batch(self.rng, c.batch_size, c.block_size)
        x, y = self.data.sample(self.rng, c.batch_size)
        if self.exclude is not None:  # redraw any held-out source
            def held(x, y):
                return np.fromiter((v in self.exclude for v in self.keys(x, y)), bool, len(x))
            seen = held(x, y)
            while seen.any():
                x2, y2 = self.data.sample(self.rng, int(seen.sum()))
                x[seen], y[seen] = x2, y2
                seen[seen] = held(x2, y2)
        return x, y

    def decoder_input(self, tgt: torch.Tensor) -> torch.Tensor:
        """Start token then the target shifted right: (B, T)."""
        start = torch.full((tgt.size(0), 1), self.start, dtype=torch.long)
        return torch.cat([start, tgt[:, :-1]], 1)

    def loss_of(self, x, y, teacher_forcing: float = 1.0):
        """(loss, logits or predictions, attention) of a batch with the fused modules."""
        c = self.config
        if c.task == "adding":
            pred = self.model(x)
            return F.mse_loss(pred, y), pred, None
        if c.seq2seq:
            logits, att = self.model(x, self.decoder_input(y), teacher_forcing, self.gen)
            return F.cross_entropy(logits.flatten(0, 1), y.flatten()), logits, att
        logits, _ = self.model(x)
        if c.task == "recall":
            m = torch.from_numpy(self.data.mask)
            return F.cross_entropy(logits[:, m].flatten(0, 1), y[:, m].flatten()), logits, None
        return F.cross_entropy(logits.flatten(0, 1), y.flatten()), logits, None

    # ---- training -----------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        c = self.config
        self.model.train()
        x, y = (torch.from_numpy(a) for a in self.batch())
        loss, out, _ = self.loss_of(x, y, c.teacher_forcing)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(),
                                              c.clip_norm if c.clip else float("inf"))
        self.opt.step()
        metrics = {"loss": loss.item(), "grad_norm": float(norm)}
        if c.task in ("recall",) or c.seq2seq:
            m = torch.from_numpy(self.data.mask) if c.task == "recall" else slice(None)
            metrics["train_acc"] = (out.detach().argmax(-1)[:, m] == y[:, m]).float().mean().item()
        return metrics

    @torch.no_grad()
    def accuracy(self, n: int | None = None) -> dict[str, float]:
        """Held-out metrics on the first ``n`` examples (all when None). Seq2seq tasks are
        scored by greedy decoding (exact match of the whole output)."""
        c = self.config
        self.model.eval()
        x, y = torch.from_numpy(self.test_x[:n]), torch.from_numpy(self.test_y[:n])
        if c.task == "adding":
            return {"test_mse": F.mse_loss(self.model(x), y).item()}
        if c.task == "charlm":
            return {"val_loss": self.loss_of(x, y)[0].item()}
        if c.task == "recall":
            loss, logits, _ = self.loss_of(x, y)
            m = torch.from_numpy(self.data.mask)
            right = logits.argmax(-1)[:, m] == y[:, m]
            return {"test_loss": loss.item(), "test_acc": right.float().mean().item(),
                    "seq_acc": right.all(1).float().mean().item()}
        out, _, _ = self.model.greedy(x, self.start, y.size(1))
        right = out == y
        return {"test_acc": right.float().mean().item(),
                "seq_acc": right.all(1).float().mean().item()}

    def evaluate(self) -> dict[str, float]:
        return self.accuracy(None if self.config.task in ("adding", "charlm") else 256)

    # ---- inference for the figures ------------------------------------------------------------
    def try_it(self, text: str) -> dict:
        """Greedy decoding of a typed source (seq2seq tasks), with the attention behind each
        output token. Raises ValueError in words when the text does not fit the task."""
        if not self.config.seq2seq:
            raise ValueError(f"Expect a sequence-to-sequence task, actually {self.config.task!r}")
        src = self.data.encode(text)
        self.model.eval()
        out, probs, att = self.model.greedy(torch.from_numpy(src)[None], self.start,
                                            self.test_y.shape[1])
        keep = src != self.pad if self.pad is not None else np.ones(len(src), bool)
        return {"inputs": [self.itos[i] for i in src[keep]],
                "outputs": [self.itos[i] for i in out[0].tolist()],
                "probs": probs[0].numpy().astype(np.float32),
                "attention": None if att is None else att[0][:, torch.from_numpy(keep)]
                .numpy().astype(np.float32)}

    @torch.no_grad()
    def sample(self, n: int, temperature: float, gen: torch.Generator) -> str:
        """n characters after the prompt, carrying the recurrent state (one step per char)."""
        self.model.eval()
        text = self.data
        prompt = PROMPT if all(ch in text.stoi for ch in PROMPT) else text.decode(text.val[:8])
        logits, state = self.model(torch.from_numpy(text.encode(prompt))[None])
        out = []
        for _ in range(n):
            p = (logits[0, -1] / temperature).softmax(-1)
            nxt = torch.multinomial(p, 1, generator=gen)
            out.append(int(nxt))
            logits, state = self.model(nxt[None], state)
        return prompt + text.decode(out)

    def _labels(self, x: np.ndarray) -> list[str]:
        if self.config.task == "adding":
            return [f"{v:.2f}" + ("*" if m else "") for v, m in x]
        return [self.itos[int(i)] for i in x]

    def snapshot(self) -> RNNSnapshot:
        c = self.config
        self.model.eval()
        k = c.example % len(self.test_x)
        idx = [k] + [i for i in range(GRAD_BATCH) if i != k][:GRAD_BATCH - 1]
        x, y = torch.from_numpy(self.test_x[idx]), torch.from_numpy(self.test_y[idx])
        with torch.enable_grad():
            u = unroll(self.model.rnn, self.model.rnn_input(x))
            if c.task == "adding":
                out = self.model.head(u.output, u.final)
                loss = F.mse_loss(out, y, reduction="sum")
            elif c.seq2seq:
                logits, att = self.model.head(u.output, u.final, x, self.decoder_input(y))
                loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum")
            else:
                logits = self.model.head(u.output)
                if c.task == "recall":
                    m = torch.from_numpy(self.data.mask)
                    loss = F.cross_entropy(logits[:, m].flatten(0, 1), y[:, m].flatten(),
                                           reduction="sum")
                else:  # charlm: how far back does the last prediction's gradient reach?
                    loss = F.cross_entropy(logits[:, -1], y[:, -1], reduction="sum")
            steps = u.steps[-1][0]  # top layer, forward direction: T tensors (B, H)
            grads = torch.autograd.grad(loss, steps, allow_unused=True)
        gn = np.array([0.0 if g is None else g.norm(dim=1).mean().item() for g in grads],
                      np.float32)
        T = len(steps)
        keep = slice(None)
        if c.task == "dates":
            keep = self.test_x[k] != Dates.PAD
        take = lambda t: t[-1][0][0].detach().numpy()[keep][:, :MAX_UNITS].T.astype(  # noqa: E731
            np.float32)  # (U, T) of the example
        gates = {n: u.gates[-1][0][n][0].detach().numpy()[keep][:, :MAX_UNITS].T
                 .astype(np.float32) for n in GATES[c.cell]}
        snap = dict(step=self.step, inputs=self._labels(self.test_x[k][keep]), h=take(u.h),
                    c=take(u.c) if c.cell == "lstm" else None, gates=gates,
                    grad_norm=gn[keep] if c.task == "dates" else gn[:T])
        if c.task == "adding":
            snap.update(prediction=float(out[0].detach()), target_value=float(y[0]))
        elif c.task == "recall":
            p = logits[0].softmax(-1).max(-1)
            m = self.data.mask
            snap.update(outputs=self._labels(p.indices.numpy()[m]),
                        targets=self._labels(self.test_y[k][m]),
                        probs=p.values.detach().numpy()[m].astype(np.float32))
        elif c.seq2seq:
            toks, probs, att = self.model.greedy(x[:1], self.start, y.size(1))
            snap.update(outputs=[self.itos[i] for i in toks[0].tolist()],
                        targets=[self.itos[i] for i in self.test_y[k].tolist()],
                        probs=probs[0].numpy().astype(np.float32),
                        attention=None if att is None else
                        att[0].numpy()[:, keep].astype(np.float32))
        else:
            if (self.sample_cache is None or self.sample_cache[1] != c.temperature
                    or self.step - self.sample_cache[0] >= SAMPLE_EVERY):
                gen = torch.Generator().manual_seed(self.seed)  # same draws: changes are learning
                self.sample_cache = (self.step, c.temperature,
                                     self.sample(SAMPLE_CHARS, c.temperature, gen))
            snap["sample"] = self.sample_cache[2]
        return RNNSnapshot(**snap)

    def on_live_change(self, changed: set[str]) -> None:
        if "example" in changed or "temperature" in changed:
            self.record_snapshot(force=True)
