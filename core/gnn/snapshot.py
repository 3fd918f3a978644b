"""What the graph-network figures draw: one moment of training as plain numpy (no torch).

:meth:`core.gnn.trainer.GNNTrainer.snapshot` builds a :class:`GNNSnapshot`; the timeline keeps
them and the figures (core/gnn/figures.py) take them. Shapes: N nodes, E directed edges (each
link twice), L layers, C classes, H attention heads.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GNNSnapshot"]


@dataclass(frozen=True)
class GNNSnapshot:
    """What every figure needs at one moment of training (numpy and plain values only).

    Static arrays (labels, split) are shared between snapshots, not copied.
    """

    step: int
    pred: np.ndarray          # (N,) int8 predicted class
    confidence: np.ndarray    # (N,) float16 probability of the predicted class
    labels: np.ndarray        # (N,) int8 true class, -1 unknown
    split: np.ndarray         # (N,) int8 0 none, 1 train, 2 validation, 3 test
    emb: np.ndarray           # (N, 2) float32 PCA of the last hidden representation
    emb_explained: np.ndarray  # (2,) fraction of variance on each PCA axis
    pcs: np.ndarray           # (N, ≤16) float16 top principal components (t-SNE input)
    emb_layer: int            # which layer's output ``emb`` shows (1-based)
    cos: np.ndarray           # (L + 1,) mean cosine similarity, input then each layer
    energy: np.ndarray        # (L + 1,) normalised Dirichlet energy, input then each layer
    attention: tuple          # GAT: per layer (E', H) float16 α; else ()
    att_src: np.ndarray | None  # (E',) int32 source of each attention entry (GAT)
    att_dst: np.ndarray | None  # (E',) int32 target
    accuracy: dict            # train/val/test accuracy at this step
    xy: np.ndarray            # (N, 2) float32 node positions (the graph's cached layout)
    links: np.ndarray         # (2, E/2) int32 each undirected link once
    degree: np.ndarray        # (N,) int32 neighbours
    class_names: tuple        # C names
    graph_name: str
