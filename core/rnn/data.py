r"""Tasks of the recurrent-network page that the shared tasks (:mod:`core.tasks`) do not hold.

- :class:`Adding`: the adding problem in the form of Le, Jaitly & Hinton 2015 and Arjovsky,
  Shah & Bengio 2016 (after Hochreiter & Schmidhuber 1997, whose version draws values in
  [-1, 1] and scales the target). Each step
  carries a value :math:`u_t \sim U(0, 1)` and a marker; exactly two steps are marked, one in
  each half of the sequence; the target is the sum of the two marked values. Always answering
  the mean 1 scores :math:`\mathrm{MSE} = \mathrm{Var}(u_a + u_b) = 2/12 = 1/6 ≈ 0.167`, the line
  to beat (:data:`BASELINE_MSE`).
- :class:`Copy`: delayed recall. ``n_recall`` symbols, then ``delay`` blanks, then a "go"
  marker; the network must then write the symbols back in order. Scored on the recall
  positions only; chance accuracy is 1 / vocab.
- :class:`Dates`: date normalisation for sequence-to-sequence models: human-written dates in
  many formats ("3 March 1998", "mar 3 98", "03/03/1998") to ISO ``1998-03-03``. Numeric forms
  are day first (European order); years 1950–2049, two-digit years 50–99 mean 19xx.

Arrays: inputs float32 (N, T, 2) for adding, int64 token ids otherwise.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = ["Adding", "Copy", "Dates", "BASELINE_MSE", "DATE_FORMATS", "MONTHS"]

BASELINE_MSE = 1.0 / 6.0

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIRST, LAST = dt.date(1950, 1, 1).toordinal(), dt.date(2049, 12, 31).toordinal()


@dataclass(frozen=True)
class Adding:
    """The adding problem of length T (see the module docstring)."""

    T: int

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Inputs (n, T, 2): value and marker per step; targets (n,): the marked sum."""
        values = rng.random((n, self.T))
        marks = np.zeros((n, self.T))
        half = self.T // 2
        rows = np.arange(n)
        marks[rows, rng.integers(0, half, n)] = 1.0
        marks[rows, rng.integers(half, self.T, n)] = 1.0
        x = np.stack([values, marks], -1).astype(np.float32)  # (n, T, 2)
        return x, (values * marks).sum(1).astype(np.float32)


@dataclass(frozen=True)
class Copy:
    """Delayed recall: ``n_recall`` symbols from ``vocab``, ``delay`` blanks, go, recall.

    Token ids: symbols 0..vocab-1, then blank, then go. Input and target both have length
    ``n_recall + delay + 1 + n_recall``; the target is blank except the last ``n_recall``
    steps, which hold the symbols (``mask`` marks them).
    """

    n_recall: int
    delay: int
    vocab: int

    @property
    def itos(self) -> list[str]:
        return [chr(ord("A") + i) for i in range(self.vocab)] + ["·", "→"]

    @property
    def blank(self) -> int:
        return self.vocab

    @property
    def go(self) -> int:
        return self.vocab + 1

    @property
    def length(self) -> int:
        return 2 * self.n_recall + self.delay + 1

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Inputs (n, length) and targets (n, length), int64."""
        k, d = self.n_recall, self.delay
        sym = rng.integers(0, self.vocab, (n, k))
        x = np.full((n, self.length), self.blank, dtype=np.int64)
        x[:, :k] = sym
        x[:, k + d] = self.go
        y = np.full((n, self.length), self.blank, dtype=np.int64)
        y[:, -k:] = sym
        return x, y

    @property
    def mask(self) -> np.ndarray:
        """(length,) bool: the recall positions, the only ones scored."""
        m = np.zeros(self.length, dtype=bool)
        m[-self.n_recall:] = True
        return m


def _ordinal(d: int) -> str:
    suffix = "th" if 11 <= d % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return f"{d}{suffix}"


#: how a date may be written; each takes a datetime.date
DATE_FORMATS = {
    "3 March 1998": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "3 mar 1998": lambda d: f"{d.day} {MONTHS[d.month - 1][:3].lower()} {d.year}",
    "mar 3 98": lambda d: f"{MONTHS[d.month - 1][:3].lower()} {d.day} {d.year % 100:02d}",
    "March 3, 1998": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "3rd of March 1998": lambda d: f"{_ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "Tuesday, 3 March 1998": lambda d: (f"{DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} "
                                        f"{d.year}"),
    "TUE 3 MAR 1998": lambda d: (f"{DAYS[d.weekday()][:3].upper()} {d.day} "
                                 f"{MONTHS[d.month - 1][:3].upper()} {d.year}"),
    "03/03/1998": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "3/3/98": lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
    "03.03.1998": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "3-3-1998": lambda d: f"{d.day}-{d.month}-{d.year}",
    "1998/03/03": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "03 MAR 98": lambda d: f"{d.day:02d} {MONTHS[d.month - 1][:3].upper()} {d.year % 100:02d}",
    "March 1998, 3": lambda d: f"{MONTHS[d.month - 1]} {d.year}, {d.day}",
}


class Dates:
    """Human-written dates → ISO ``YYYY-MM-DD``, as character sequences.

    One vocabulary for both sides: ``itos[0]`` pads, ``itos[1]`` starts the decoder, then
    every character the formats use. Sources are padded to :attr:`src_len`; targets are
    always 10 characters.

    >>> d = Dates()
    >>> d.decode(d.target_ids(dt.date(1998, 3, 3)))
    '1998-03-03'
    """

    PAD, START = 0, 1
    tgt_len = 10

    def __init__(self):
        chars = set("0123456789-/., ")
        for fmt in DATE_FORMATS.values():
            for day in (dt.date(2000, m, 23) for m in range(1, 13)):
                chars |= set(fmt(day))
            for day in (dt.date(2001, 1, d) for d in range(1, 8)):  # every weekday
                chars |= set(fmt(day))
        self.itos = ["_", "^"] + sorted(chars)
        self.stoi = {c: i for i, c in enumerate(self.itos)}
        self.src_len = 28  # the longest: "Wednesday, 27 September 2049"

    def random_dates(self, rng: np.random.Generator, n: int) -> list[dt.date]:
        return [dt.date.fromordinal(int(o)) for o in rng.integers(FIRST, LAST + 1, n)]

    def encode(self, text: str) -> np.ndarray:
        """A typed date as padded source ids. Raises ValueError in words."""
        text = " ".join(text.strip().split())
        bad = sorted({c for c in text if c not in self.stoi or self.stoi[c] < 2})
        if bad:
            raise ValueError(f"Expect letters, digits, spaces and - / . , only, actually "
                             f"{''.join(bad)!r}")
        if not 1 <= len(text) <= self.src_len:
            raise ValueError(f"Expect 1 to {self.src_len} characters, actually {len(text)}")
        ids = np.full(self.src_len, self.PAD, dtype=np.int64)
        ids[:len(text)] = [self.stoi[c] for c in text]
        return ids

    def target_ids(self, d: dt.date) -> np.ndarray:
        return np.array([self.stoi[c] for c in d.isoformat()], dtype=np.int64)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Sources (n, src_len) in random formats and ISO targets (n, 10)."""
        fmts = list(DATE_FORMATS.values())
        which = rng.integers(0, len(fmts), n)
        dates = self.random_dates(rng, n)
        src = np.stack([self.encode(fmts[k](d)) for k, d in zip(which, dates)])
        return src, np.stack([self.target_ids(d) for d in dates])

    def decode(self, ids) -> str:
        return "".join(self.itos[int(i)] for i in ids if int(i) > 1)
