"""Write core/data/digits.npz from scikit-learn's bundled copy of the UCI 8x8 digits.

Run once by a developer (`.venv/bin/python scripts/make_digits.py`). The app loads the .npz
with numpy alone, so opening a page does not import scikit-learn (about 1-3 s of CPU).
Source: Alpaydin & Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository (1998), CC BY 4.0; the 1,797-image test set that scikit-learn ships.
"""
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

out = Path(__file__).resolve().parents[1] / "core" / "data" / "digits.npz"
d = load_digits()
np.savez_compressed(out, images=d.data.astype(np.uint8), labels=d.target.astype(np.uint8))
print(out, out.stat().st_size, "bytes")
