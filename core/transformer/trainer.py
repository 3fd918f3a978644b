"""Live trainer of the transformer page: generated sequence tasks and character-level LM.

Generated tasks train with teacher forcing and score on 1,000 held-out sources (never drawn
for training when the task has room for that). Whole-sequence accuracy under teacher forcing
equals greedy-decoding accuracy: if every next-token argmax is right given a right prefix,
greedy decoding writes exactly the target.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from core.alarms import Alarm, chance_loss, lr_above
from core.tasks import CharText, SequenceTask, load_shipped_text, make_task
from core.training import Trainer
from core.transformer.config import TransformerConfig
from core.transformer.metrics import METRICS
from core.transformer.model import Transformer
from core.transformer.snapshot import TransformerSnapshot

__all__ = ["TransformerTrainer", "HELD_OUT", "PROMPT"]

HELD_OUT = 1000
PROMPT = "MENENIUS:\n"  # a speaker of the shipped text (Coriolanus), so a sample starts in its voice
SAMPLE_CHARS = 160
SAMPLE_EVERY = 250  # steps between new samples (sampling costs about 160 forward passes)
ATT_MAX = 32  # longest example whose attention is kept in a snapshot (uint8 maps)


class TransformerTrainer(Trainer):
    config_cls = TransformerConfig
    metrics = METRICS
    eval_every = 50
    #: AdamW at lr 0.1 without warm-up or clipping leaves the held-out loss at chance level
    #: for good; at the default rate a plateau is a lesson (post-LN without warm-up), so only
    #: a rate far above the default is blamed
    alarms = (Alarm("val_loss", above=lambda t: 0.9 * t.chance_loss, hold=250, stalled=True,
                    when=lr_above(5.0),
                    says="the held-out loss stayed near chance level for {hold} steps (now "
                         "{value:.3g}; guessing from the symbol frequencies alone scores "
                         "{t.chance_loss:.3g}): nothing is being learnt",
                    advice=lambda t: t.lr_advice()),)
    #: decoding the example costs about one training step: a snapshot every tick would slow
    #: the live page noticeably (core.training.Trainer.snapshot_every_s)
    snapshot_every_s = 0.5

    def __init__(self, config: TransformerConfig, seed: int = 0, text: str | None = None):
        """``text``: the student's pasted or uploaded text, for ``text="custom"``."""
        self.custom_text = text
        self.typed: str | None = None  # the input typed on the page, once it parsed
        super().__init__(config, seed)

    # ---- build ------------------------------------------------------------------------------
    def build(self) -> None:
        c: TransformerConfig = self.config
        if c.generated:
            self.task: SequenceTask = make_task(c.task, c.seq_len, c.vocab, c.lsd_first)
            self.itos = self.task.itos
            test_rng = np.random.default_rng(10_000 + self.seed)
            self.test_src, self.test_tgt = self.task.sample(test_rng, HELD_OUT)
            self.chance_loss = chance_loss(self.test_tgt)
            self.test_keys = (set(self.task.key(self.test_src).tolist())
                              if self.task.space > 20 * HELD_OUT else None)
            max_len = max(self.task.src_len + self.task.tgt_len, 2)
            self.example = self.test_src[0]
        else:
            if c.text == "custom" and self.custom_text is None:
                raise ValueError("Expect a pasted or uploaded text for text=custom, actually none")
            self.text = CharText(self.custom_text if c.text == "custom"
                                 else load_shipped_text())
            self.itos = self.text.itos
            max_len = c.block_size
            val_rng = np.random.default_rng(20_000)
            self.val_x, self.val_y = self.text.batch(val_rng, 32, c.block_size, "val")
            self.chance_loss = chance_loss(self.val_y)
            fits = all(ch in self.text.stoi for ch in PROMPT)
            self.example = self.text.encode(PROMPT) if fits else self.text.val[:16]
            self.prompt = self.text.encode(PROMPT) if fits else self.text.val[:8]
            self.sample_cache: tuple[int, tuple, str] | None = None
        self.model = Transformer(
            vocab=len(self.itos), arch=c.arch, n_layers=c.n_layers, n_heads=c.n_heads,
            d_model=c.d_model, d_ff=c.d_ff, dropout=c.dropout, pos=c.pos, norm=c.norm,
            tie_weights=c.tie_weights, max_len=max_len)
        # AdamW (fused: one kernel for all tensors, ~10 ms/step less), lr warmed up linearly
        self.add_optimizer("opt", lambda: torch.optim.AdamW(
            self.model.parameters(), lr=c.lr, betas=(0.9, 0.98), fused=True, weight_decay=0.01),
            lr_field="lr", schedule=self.warmup_factor)

    # ---- batches ------------------------------------------------------------------------------
    def seq2seq_inputs(self, src: np.ndarray, tgt: np.ndarray):
        """Model inputs for (source, target) pairs: (enc_in or None, dec_in, targets, mask).

        decoder-only reads ``src = tgt[:-1]`` and is scored on the target positions only.
        """
        n = len(src)
        sep = np.full((n, 1), self.task.sep, dtype=np.int64)
        if self.config.arch == "encdec":
            dec_in = np.concatenate([sep, tgt[:, :-1]], 1)
            return torch.from_numpy(src), torch.from_numpy(dec_in), torch.from_numpy(tgt), None
        seq = np.concatenate([src, sep, tgt], 1)
        S = src.shape[1]
        return None, torch.from_numpy(seq[:, :-1]), torch.from_numpy(seq[:, S + 1:]), S

    def train_batch(self):
        c = self.config
        if not c.generated:
            x, y = self.text.batch(self.rng, c.batch_size, c.block_size)
            return None, torch.from_numpy(x), torch.from_numpy(y), 0
        src, tgt = self.task.sample(self.rng, c.batch_size)
        if self.test_keys is not None:  # keep held-out sources out of training
            seen = np.fromiter((k in self.test_keys for k in self.task.key(src).tolist()), bool)
            while seen.any():
                s2, t2 = self.task.sample(self.rng, int(seen.sum()))
                src[seen], tgt[seen] = s2, t2
                seen[seen] = np.fromiter((k in self.test_keys
                                          for k in self.task.key(s2).tolist()), bool)
        return self.seq2seq_inputs(src, tgt)

    def logits(self, enc_in, dec_in, offset):
        """Logits at the scored positions: (B, T, V)."""
        out, att = self.model(enc_in, dec_in)
        return (out[:, offset:] if offset else out), att

    # ---- training -----------------------------------------------------------------------------
    def warmup_factor(self, step: int) -> float:
        """Linear warm-up over ``warmup`` steps, then constant (the lr schedule's factor)."""
        w = self.config.warmup
        return min(1.0, (step + 1) / w) if w else 1.0

    def lr_advice(self) -> str:
        """What to change when a too high learning rate stalls training."""
        c = self.config
        off = [what for what, on in (("a warm-up (100 steps)", c.warmup > 0),
                                     ("gradient clipping (1)", c.grad_clip > 0)) if not on]
        turn = f" and turn on {' and '.join(off)}" if off else ""
        return (f"The learning rate {c.lr:g} is probably too high: try {c.lr / 10:g}{turn}, "
                "then press reset.")

    def lr_now(self) -> float:
        return self.config.lr * self.warmup_factor(self.step)

    def train_step(self) -> dict[str, float]:
        c = self.config
        self.model.train()
        enc_in, dec_in, y, off = self.train_batch()
        logits, _ = self.logits(enc_in, dec_in, off)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if c.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), c.grad_clip)
        self.opt.step()
        acc = (logits.detach().argmax(-1) == y).float().mean()
        return {"loss": loss.item(), "train_token_acc": acc.item()}

    @torch.no_grad()
    def accuracy(self, n: int | None = None) -> dict[str, float]:
        """Held-out loss, token accuracy and whole-sequence accuracy on the first n sources."""
        self.model.eval()
        if not self.config.generated:
            logits, _ = self.model(None, torch.from_numpy(self.val_x))
            y = torch.from_numpy(self.val_y)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            acc = (logits.argmax(-1) == y).float().mean()
            return {"val_loss": loss.item(), "token_acc": acc.item()}
        n = n or HELD_OUT
        enc_in, dec_in, y, off = self.seq2seq_inputs(self.test_src[:n], self.test_tgt[:n])
        logits, _ = self.logits(enc_in, dec_in, off)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        right = logits.argmax(-1) == y
        return {"val_loss": loss.item(), "token_acc": right.float().mean().item(),
                "seq_acc": right.all(1).float().mean().item()}

    def evaluate(self) -> dict[str, float]:
        return self.accuracy(256)

    # ---- inference for the figures ------------------------------------------------------------
    def set_example(self, text: str) -> None:
        """Use a typed input as the example of the figures. Raises ValueError in words."""
        ids = self.task.encode(text) if self.config.generated else self.text.encode(text)
        if not self.config.generated and not 1 <= len(ids) <= self.config.block_size:
            raise ValueError(f"Expect 1 to {self.config.block_size} characters, actually "
                             f"{len(ids)}")
        self.example = ids

    def input_hint(self) -> str:
        """The placeholder of the page's input box: an input this model accepts (or, for the
        character model, how long a prompt may be)."""
        c = self.config
        if not c.generated:
            return f"a prompt of up to {c.block_size} characters"
        if c.task == "add":
            return f"e.g. {'123456'[:c.seq_len]}+{'987654'[:c.seq_len]}"
        return "e.g. " + "".join(self.itos[i % (len(self.itos) - 1)] for i in range(c.seq_len))

    def try_input(self, text: str) -> bool:
        """Decode ``text``, typed on the page, from now on: parse it, make it the figures'
        example and take a snapshot. Returns False, doing nothing, when ``text`` is already
        the example (every rerun of the page hands in the same text again). Raises ValueError
        in words when it does not parse; the example stays as it was."""
        if text == self.typed:
            return False
        self.set_example(text)
        self.typed = text
        self.record_snapshot(force=True)
        return True

    @torch.no_grad()
    def decode(self, src: np.ndarray) -> dict[str, np.ndarray]:
        """Greedy decoding of one source, with the attention behind every output token.

        The attention maps come from the last decoding pass, which saw every decoded token but
        the last: with causal masking, row t is exactly the attention behind output token t.
        """
        self.model.eval()
        T = self.task.tgt_len
        out = np.zeros(0, dtype=np.int64)
        probs = np.zeros(T, dtype=np.float32)
        memory = enc_att = None
        if self.config.arch == "encdec":  # encode once, then only the decoder runs per token
            memory, enc_att = self.model.encode(torch.from_numpy(src)[None])
        for t in range(T):
            _, dec_in, _, off = self.seq2seq_inputs(src[None], np.append(out, 0)[None])
            logits, att = self.model.decode(dec_in, memory)
            p = logits[0, (off or 0) + t].softmax(-1)
            out = np.append(out, int(p.argmax()))
            probs[t] = float(p.max())
        # the last pass saw every decoded token but the last: exactly the attention behind each
        att = {"enc": enc_att or [], **att}
        return {"out": out, "probs": probs, **{k: self._stack(v) for k, v in att.items()}}

    @staticmethod
    def _stack(ws: list[torch.Tensor]) -> np.ndarray:
        """Layers of (1, H, Tq, Tk) weights as uint8 (L, H, Tq, Tk), 255 = weight 1."""
        if not ws:
            return np.zeros((0, 0, 0, 0), np.uint8)
        w = torch.stack([x[0] for x in ws])[..., :ATT_MAX, :ATT_MAX]
        return (w * 255 + 0.5).to(torch.uint8).numpy()

    @torch.no_grad()
    def sample(self, prompt: np.ndarray, n: int, temperature: float, top_k: int,
               gen: torch.Generator) -> np.ndarray:
        """n characters sampled after ``prompt`` with temperature and top-k."""
        self.model.eval()
        idx = torch.from_numpy(prompt)[None]
        for _ in range(n):
            logits, _ = self.model(None, idx[:, -self.config.block_size:])
            logits = logits[0, -1] / temperature
            if top_k and top_k < logits.numel():
                kth = logits.topk(top_k).values[-1]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = torch.multinomial(logits.softmax(-1), 1, generator=gen)
            idx = torch.cat([idx, nxt[None]], 1)
        return idx[0, len(prompt):].numpy()

    def snapshot(self) -> TransformerSnapshot:
        c = self.config
        emb = self.model.emb.weight.detach().numpy().astype(np.float32)
        centred = emb - emb.mean(0)
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        common = dict(step=int(self.step), itos=tuple(self.itos),
                      emb_pca=(centred @ vt[:2].T).astype(np.float32),
                      emb_var=(s[:2] ** 2 / max((s ** 2).sum(), 1e-12)).astype(np.float32),
                      pe=self._pe_table())
        if c.generated:
            d = self.decode(self.example)
            return TransformerSnapshot(
                **common, src=self.example.copy(), dec=d["dec"], enc=d["enc"],
                cross=d["cross"], out=d["out"], probs=d["probs"],
                want=self.task.target(self.example[None])[0], typed=self.typed is not None)
        ex = self.example[-ATT_MAX:]
        _, att = self.model(None, torch.from_numpy(ex)[None])
        key = (c.temperature, c.top_k)
        if (self.sample_cache is None or self.sample_cache[1] != key
                or self.step - self.sample_cache[0] >= SAMPLE_EVERY):
            gen = torch.Generator().manual_seed(self.seed)  # same draws: changes are learning
            text = self.text.decode(self.sample(self.prompt, SAMPLE_CHARS, c.temperature,
                                                c.top_k, gen))
            self.sample_cache = (self.step, key, text)
        empty = self._stack([])
        return TransformerSnapshot(**common, src=ex.copy(), dec=self._stack(att["dec"]),
                                   enc=empty, cross=empty, sample=self.sample_cache[2],
                                   prompt=self.text.decode(self.prompt))

    def _pe_table(self) -> np.ndarray:
        pe = self.model.pos.table.detach()[:ATT_MAX * 2]
        return pe.numpy().astype(np.float32)
