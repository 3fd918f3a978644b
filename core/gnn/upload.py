"""The user's own graph: an uploaded edge list ``source,target[,label]`` as a
:class:`~core.gnn.data.Graph`; every malformed file raises :class:`GraphError` with a message
that names the fix."""
from __future__ import annotations

import csv
import io

import numpy as np
import torch

from core.datasets import upload_text
from core.gnn.data import Graph, _split_tensor, sparse_identity, undirected_edge_index

__all__ = ["GraphError", "parse_edge_csv", "MAX_UPLOAD_BYTES", "MAX_UPLOAD_NODES",
           "MAX_UPLOAD_EDGES"]

MAX_UPLOAD_BYTES = 2_000_000
MAX_UPLOAD_NODES = 5_000
MAX_UPLOAD_EDGES = 50_000


class GraphError(ValueError):
    """An uploaded graph that cannot be used; the message says why and what to change."""


def _is_int(s: str) -> bool:
    s = s.strip()
    return s.lstrip("-").isdigit()


def parse_edge_csv(data: bytes | str, name: str = "Uploaded graph",
                   seed: int = 0) -> tuple[Graph, list[str]]:
    """Parse an edge list: one ``source,target`` row per link, node ids whole numbers, and an
    optional third column giving the class label of the source node (any text).

    A first row whose ids are not numbers is read as a header. Self-loops and repeated links
    are dropped; nodes outside the largest connected component are dropped; each with a note.
    Features are one-hot node ids. Labelled nodes are split 50 % / 25 % / 25 % into train,
    validation and test (at least one training node per class).

    Returns (graph, notes). Raises :class:`GraphError` naming the fix for: a file too large,
    not text, with rows of the wrong width, non-numeric ids, only self-loops, no labels, fewer
    than two classes, or too many nodes or links.
    """
    text = upload_text(
        data, MAX_UPLOAD_BYTES, error=GraphError,
        too_big="The file is {size} MB; the limit is {limit} MB. Upload a smaller graph.",
        not_text="The file is not UTF-8 text: save it as a CSV file with rows such as 0,1 "
                 "or 0,1,label.")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise GraphError("The file is empty: it needs one row per link, such as 0,1 or "
                         "0,1,label.")
    if not (_is_int(rows[0][0]) and len(rows[0]) > 1 and _is_int(rows[0][1])):
        rows = rows[1:]  # a header
        if not rows:
            raise GraphError("The file holds only a header row: add one row per link, "
                             "such as 0,1.")
    src, dst, lab = [], [], {}
    for i, r in enumerate(rows, start=1):
        if len(r) not in (2, 3):
            raise GraphError(f"Row {i} has {len(r)} columns ({','.join(r)!r}); each row needs "
                             "2 (source,target) or 3 (source,target,label).")
        a, b = r[0].strip(), r[1].strip()
        if not (_is_int(a) and _is_int(b)):
            raise GraphError(f"Row {i}: node ids must be whole numbers, not {a!r} and {b!r}. "
                             "Number the nodes 0, 1, 2, ... and keep names in another file.")
        src.append(int(a))
        dst.append(int(b))
        if len(r) == 3 and r[2].strip():
            lab[int(a)] = r[2].strip()
        if len(src) > MAX_UPLOAD_EDGES:
            raise GraphError(f"More than {MAX_UPLOAD_EDGES:,} links: upload a smaller graph "
                             "(a sample or one community of it).")
    src_a, dst_a = np.array(src), np.array(dst)
    notes = []
    loops = src_a == dst_a
    if loops.all():
        raise GraphError("Every row is a self-loop (a node linked to itself): message passing "
                         "needs links between different nodes.")
    if loops.any():
        notes.append(f"{int(loops.sum())} self-loops dropped (the self-loops setting adds "
                     "them back uniformly).")
    ids = np.unique(np.concatenate([src_a, dst_a, np.array(list(lab), dtype=np.int64)]))
    if len(ids) > MAX_UPLOAD_NODES:
        raise GraphError(f"{len(ids):,} nodes; the limit is {MAX_UPLOAD_NODES:,}. Upload a "
                         "smaller graph.")
    if not lab:
        raise GraphError("No labels: add a third column with the class of the source node "
                         "(such as 0,1,red), at least two labelled nodes per class.")
    classes = sorted(set(lab.values()))
    if len(classes) < 2:
        raise GraphError(f"Only one class ({classes[0]!r}) is labelled: node classification "
                         "needs at least two.")
    # keep the largest connected component
    remap = {int(v): i for i, v in enumerate(ids)}
    s = np.array([remap[v] for v in src_a[~loops]])
    d = np.array([remap[v] for v in dst_a[~loops]])
    comp = _components(s, d, len(ids))
    big = np.bincount(comp).argmax()
    keep = comp == big
    if not keep.all():
        notes.append(f"{int((~keep).sum())} nodes outside the largest connected component "
                     f"dropped; {int(keep.sum())} remain.")
    new_id = np.cumsum(keep) - 1
    e_keep = keep[s] & keep[d]
    pairs = np.stack([new_id[s[e_keep]], new_id[d[e_keep]]])
    n = int(keep.sum())
    kept_ids = ids[keep]
    y = np.full(n, -1, np.int64)
    for node, c in lab.items():
        if remap[node] < len(keep) and keep[remap[node]]:
            y[new_id[remap[node]]] = classes.index(c)
    present = sorted(set(y[y >= 0].tolist()))
    if len(present) < 2:
        raise GraphError("The largest connected component holds labels of fewer than two "
                         "classes: label nodes of at least two classes in it.")
    counts = np.bincount(y[y >= 0], minlength=len(classes))
    if (counts[present] < 2).any():
        few = [classes[c] for c in present if counts[c] < 2]
        raise GraphError(f"Class {', '.join(map(repr, few))} has a single labelled node: "
                         "label at least two nodes per class (one to train, one to check).")
    rng = np.random.default_rng(seed)
    train, val, test = [], [], []
    for c in present:
        idx = rng.permutation(np.flatnonzero(y == c))
        n_tr = max(1, len(idx) // 2)
        n_va = (len(idx) - n_tr) // 2
        train += idx[:n_tr].tolist()
        val += idx[n_tr:n_tr + n_va].tolist()
        test += idx[n_tr + n_va:].tolist()
    if not val:
        val = test
    notes.append(f"{n} nodes, {pairs.shape[1]} links, {len(present)} classes, "
                 f"{int((y >= 0).sum())} labelled (ids {int(kept_ids.min())}..."
                 f"{int(kept_ids.max())}).")
    g = Graph(name, sparse_identity(n), undirected_edge_index(pairs, n), torch.from_numpy(y),
              _split_tensor(sorted(train)), _split_tensor(sorted(val)),
              _split_tensor(sorted(test)), class_names=tuple(classes), note=notes[-1])
    return g, notes


def _components(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """(N,) component label of each node (union-find with path halving)."""
    parent = np.arange(n)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(src.tolist(), dst.tolist()):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return np.array([find(i) for i in range(n)])
