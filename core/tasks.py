"""Tasks shared by the sequence families (transformer, RNN): generated sequence tasks and
character-level text, so that two architectures can train on exactly the same data.

Generated tasks map a source sequence to a target sequence:

- ``copy``: the target is the source;
- ``reverse``: the source backwards (impossible without positions);
- ``sort``: the symbols in ascending order (a bag of symbols: positions are not needed);
- ``add``: two ``n_digits`` numbers written ``a+b``; the target is their sum on ``n_digits + 1``
  digits, most significant digit first (or least significant first with ``lsd_first``, which
  lets a left-to-right decoder compute the carry as it goes).

Arrays are int64 token ids: source (N, S), target (N, T). The separator ``=`` starts the
target (decoder-only: ``src = tgt``; encoder-decoder: the decoder's start token).

Text: :func:`check_text` validates pasted or uploaded text (size, UTF-8, length, alphabet);
:class:`CharText` holds one text as ids with a train/validation split.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SequenceTask", "make_task", "CharText", "check_text", "load_shipped_text", "symbols",
           "TASKS", "DIGITS", "LETTERS", "SEP", "MAX_TEXT_BYTES", "MIN_TEXT_CHARS", "MAX_ALPHABET",
           "SHIPPED_TEXT"]

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SEP = "="
TASKS = ("copy", "reverse", "sort", "add")
MAX_TEXT_BYTES = 1_000_000
MIN_TEXT_CHARS = 2_000
MAX_ALPHABET = 200
SHIPPED_TEXT = Path(__file__).with_name("data") / "shakespeare.txt"  # see data/shakespeare.md


def symbols(vocab: int) -> str:
    """Symbol alphabet of a generated task: digits up to 10 symbols, letters beyond."""
    if not 2 <= vocab <= 26:
        raise ValueError(f"Expect 2 <= vocab <= 26, actually {vocab}")
    return DIGITS[:vocab] if vocab <= 10 else LETTERS[:vocab]


@dataclass(frozen=True)
class SequenceTask:
    """One generated task: its token strings and a sampler of (source, target) arrays."""

    name: str
    seq_len: int  # symbols per operand (add) or per sequence
    vocab_size: int  # symbols (not counting + and =)
    lsd_first: bool = False

    @property
    def itos(self) -> list[str]:
        base = list(DIGITS) if self.name == "add" else list(symbols(self.vocab_size))
        return base + (["+"] if self.name == "add" else []) + [SEP]

    @property
    def stoi(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.itos)}

    @property
    def sep(self) -> int:
        return len(self.itos) - 1

    @property
    def src_len(self) -> int:
        return 2 * self.seq_len + 1 if self.name == "add" else self.seq_len

    @property
    def tgt_len(self) -> int:
        return self.seq_len + 1 if self.name == "add" else self.seq_len

    @property
    def space(self) -> int:
        """How many different sources exist."""
        v = 10 if self.name == "add" else self.vocab_size
        return v ** (2 * self.seq_len if self.name == "add" else self.seq_len)

    def target(self, src: np.ndarray) -> np.ndarray:
        """Targets of sources (N, S), vectorised."""
        if self.name == "copy":
            return src.copy()
        if self.name == "reverse":
            return src[:, ::-1].copy()
        if self.name == "sort":
            return np.sort(src, axis=1)
        n = self.seq_len  # add: digit columns, most significant first
        a, b = src[:, :n], src[:, n + 1:]
        out = np.zeros((len(src), n + 1), dtype=np.int64)
        carry = np.zeros(len(src), dtype=np.int64)
        for i in range(n - 1, -1, -1):
            s = a[:, i] + b[:, i] + carry
            out[:, i + 1], carry = s % 10, s // 10
        out[:, 0] = carry
        return out[:, ::-1].copy() if self.lsd_first else out

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n random (source, target) pairs."""
        if self.name == "add":
            digits = rng.integers(0, 10, size=(n, 2 * self.seq_len))
            plus = np.full((n, 1), self.stoi["+"])
            src = np.concatenate([digits[:, :self.seq_len], plus, digits[:, self.seq_len:]], 1)
        else:
            src = rng.integers(0, self.vocab_size, size=(n, self.seq_len))
        return src.astype(np.int64), self.target(src)

    def key(self, src: np.ndarray) -> np.ndarray:
        """One integer per source (to keep held-out sources out of training)."""
        digits = np.delete(src, self.seq_len, axis=1) if self.name == "add" else src
        base = 10 if self.name == "add" else self.vocab_size
        return (digits * base ** np.arange(digits.shape[1], dtype=np.float64)).sum(1)

    def encode(self, text: str) -> np.ndarray:
        """Parse a typed source: "31415926", "3 1 4 1", "12+34". Raises ValueError in words."""
        chars = [c for c in text.upper() if not c.isspace() and c != ","]
        bad = sorted({c for c in chars if c not in self.stoi or c == SEP})
        if bad:
            allowed = "".join(self.itos[:-1])
            raise ValueError(f"Expect symbols from {allowed!r}, actually {''.join(bad)!r}")
        if self.name == "add":
            if chars.count("+") != 1:
                raise ValueError(f"Expect two {self.seq_len}-digit numbers like "
                                 f"{'1' * self.seq_len}+{'2' * self.seq_len}, actually "
                                 f"{text!r}")
            a, b = "".join(chars).split("+")
            if not (1 <= len(a) <= self.seq_len and 1 <= len(b) <= self.seq_len):
                raise ValueError(f"Expect numbers of at most {self.seq_len} digits, actually "
                                 f"{len(a)} and {len(b)}")
            chars = list(a.zfill(self.seq_len) + "+" + b.zfill(self.seq_len))
        elif "+" in chars:
            raise ValueError(f"Expect symbols from {''.join(self.itos[:-1])!r}, actually '+'")
        elif len(chars) != self.seq_len:
            raise ValueError(f"Expect {self.seq_len} symbols (the trained length), actually "
                             f"{len(chars)}")
        return np.array([self.stoi[c] for c in chars], dtype=np.int64)

    def decode(self, ids) -> list[str]:
        return [self.itos[int(i)] for i in ids]


def make_task(name: str, seq_len: int, vocab: int, lsd_first: bool = False) -> SequenceTask:
    if name not in TASKS:
        raise ValueError(f"Expect copy, reverse, sort or add, actually {name!r}")
    return SequenceTask(name, seq_len, 10 if name == "add" else vocab, lsd_first)


def check_text(raw: bytes | str) -> tuple[str | None, list[str]]:
    """Validate user text: (text, []) when usable, else (None, problems in plain words).

    At most ``MAX_TEXT_BYTES`` bytes of UTF-8, at least ``MIN_TEXT_CHARS`` characters, at
    most ``MAX_ALPHABET`` distinct characters. Windows line ends become ``\\n``.
    """
    data = raw.encode("utf-8", errors="surrogatepass") if isinstance(raw, str) else bytes(raw)
    if len(data) > MAX_TEXT_BYTES:
        return None, [f"The text is {len(data) / 1e6:.2f} MB; the limit is "
                      f"{MAX_TEXT_BYTES / 1e6:.0f} MB. Use a shorter excerpt."]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, [f"The text is not UTF-8 (byte 0x{data[e.start]:02x} at position "
                      f"{e.start}). Save it as UTF-8 plain text and try again."]
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    problems = []
    if len(text) < MIN_TEXT_CHARS:
        problems.append(f"The text is too short: {len(text):,} characters. A character model "
                        f"needs at least {MIN_TEXT_CHARS:,}; paste more text.")
    alphabet = len(set(text))
    if alphabet > MAX_ALPHABET:
        problems.append(f"The text uses {alphabet} different characters; the limit is "
                        f"{MAX_ALPHABET}. Use text in one alphabet.")
    return (None, problems) if problems else (text, [])


def load_shipped_text() -> str:
    return SHIPPED_TEXT.read_text(encoding="utf-8")


class CharText:
    """A text as character ids with a 90/10 train/validation split.

    >>> t = CharText("abcab" * 10)
    >>> t.itos, t.train.shape[0] + t.val.shape[0]
    (['a', 'b', 'c'], 50)
    """

    def __init__(self, text: str, val_fraction: float = 0.1):
        self.itos = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.itos)}
        ids = np.array([self.stoi[c] for c in text], dtype=np.int64)
        cut = int(len(ids) * (1 - val_fraction))
        self.train, self.val = ids[:cut], ids[cut:]

    def batch(self, rng: np.random.Generator, n: int, block: int, split: str = "train"):
        """n random windows: inputs (n, block) and next-character targets (n, block)."""
        data = self.train if split == "train" else self.val
        start = rng.integers(0, len(data) - block - 1, size=n)
        idx = start[:, None] + np.arange(block + 1)
        w = data[idx]
        return w[:, :-1], w[:, 1:]

    def encode(self, text: str) -> np.ndarray:
        bad = sorted({c for c in text if c not in self.stoi})
        if bad:
            raise ValueError(f"Expect characters of the training text, actually {bad!r}")
        return np.array([self.stoi[c] for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.itos[int(i)] for i in ids)
