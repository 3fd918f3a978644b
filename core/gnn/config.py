"""Hyperparameters of the graph-network family: one frozen dataclass, presets and experiments.

Field names are URL query-parameter names (``?model=gat&depth=2&heads=8``).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param
from core.metrics import Metric

__all__ = ["GNNConfig", "PRESETS", "EXPERIMENTS", "MAX_WIDTH", "KARATE", "METRICS"]

#: every metric the GNN trainer emits (its ``metrics``; here so figures need no torch)
METRICS = (
    Metric("loss", "Training loss", unit="nats", chart="Loss"),
    Metric("val_loss", "Validation loss", unit="nats", chart="Loss"),
    Metric("train_acc", "Train accuracy", chart="Accuracy", higher_is_better=True),
    Metric("val_acc", "Validation accuracy", chart="Accuracy", higher_is_better=True),
    Metric("test_acc", "Test accuracy", chart="Accuracy", higher_is_better=True),
    Metric("best_test_acc", "Test accuracy at best validation", chart="Accuracy",
           higher_is_better=True),
)

#: widest hidden layer (heads × hidden for GAT) the page trains at a live pace
MAX_WIDTH = 512


@dataclass(frozen=True)
class GNNConfig(Config):
    """Settings of a node-classification run: the graph, the layer kind and its training."""

    graph: str = param(
        "cora", label="Graph", group="Data", choices=("cora", "karate", "sbm", "upload"),
        help="cora: 2,708 papers linked by 5,278 citations, 7 topics, 140 labelled. karate: "
             "Zachary's club, one labelled member per faction. sbm: a random graph whose "
             "homophily you set. upload: your own edge list (CSV source,target[,label]).")
    homophily: float = param(
        0.8, label="Homophily", group="Data", min=0.0, max=1.0, step=0.05,
        visible_if={"graph": ("sbm",)},
        help="Fraction of edges inside a block. 1/3 is random for 3 blocks; above it "
             "neighbours share a class (message passing helps), below it they do not "
             "(it hurts).")
    feature_noise: float = param(
        1.0, label="Feature noise σ", group="Data", min=0.0, max=5.0, step=0.1,
        visible_if={"graph": ("sbm",)},
        help="Standard deviation of the noise added to each node's class-mean features. "
             "Large noise leaves the MLP guessing; only the edges can then help.")
    model: str = param(
        "gcn", label="Model", choices=("gcn", "sage", "gat", "gin", "mlp"),
        help="gcn: graph convolution (Kipf & Welling). sage: GraphSAGE mean. gat: graph "
             "attention (Veličković et al.). gin: graph isomorphism network (Xu et al.). "
             "mlp: ignores the edges, the baseline every graph model must beat.")
    depth: int = param(
        2, label="Layers", min=1, max=8, step=1,
        help="Message-passing layers; a node sees its neighbours up to this many hops away. "
             "2 is the classic choice; 8 shows over-smoothing.")
    hidden: int = param(
        16, label="Hidden size", min=2, max=256, step=1,
        help="Width of each hidden layer (per head for GAT, so GAT's layer is heads × hidden "
             "wide). Kipf & Welling use 16; the GAT paper 8 per head.")
    heads: int = param(
        8, label="Attention heads", min=1, max=8, step=1, visible_if={"model": ("gat",)},
        help="GAT heads in hidden layers, concatenated. The output layer has one head.")
    dropout: float = param(
        0.5, label="Dropout", min=0.0, max=0.9, step=0.05,
        help="Drop probability on the input, between layers and (GAT) on attention weights. "
             "0.5 for GCN, 0.6 for GAT on Cora's 140 labels.")
    residual: bool = param(
        False, label="Residual connections",
        help="Add each hidden layer's input to its output (h + layer(h)): keeps deep stacks "
             "from smoothing every node into the same vector.")
    self_loops: bool = param(
        True, label="Self-loops",
        help="GCN and GAT include a node in its own neighbourhood (A + I). Off: a node sees "
             "only its neighbours. SAGE and GIN always keep the node's own vector apart.")
    lr: float = param(
        0.01, label="Learning rate", group="Training", min=1e-4, max=1.0, step=1e-3,
        scale="log", live=True,
        help="Adam step size; 0.01 for GCN, 0.005 for GAT (their papers' values).")
    weight_decay: float = param(
        5e-4, label="Weight decay", group="Training", min=0.0, max=0.1, step=1e-4,
        live=True,
        help="L2 penalty on every weight (Adam's weight_decay); 5e-4 in both papers. "
             "With 140 labels, 0 overfits.")

    @property
    def width(self) -> int:
        """Width of a hidden layer's output."""
        return self.hidden * (self.heads if self.model == "gat" else 1)

    def uploaded(self) -> str | None:
        return "graph" if self.graph == "upload" else None

    def problems(self) -> list[str]:
        out = []
        if self.width > MAX_WIDTH:
            out.append(f"GAT with {self.heads} heads of {self.hidden} is {self.width} wide; at "
                       f"most {MAX_WIDTH} trains live: pick hidden "
                       f"{MAX_WIDTH // self.heads} or fewer heads.")
        if self.graph == "karate" and self.model == "mlp":
            pass  # allowed: it shows that one label per class teaches an MLP nothing
        return out


#: the karate club's settings: 3 layers reach every member from the two labelled ones (the
#: club's diameter is 5); wide, fast and with dropout, so most seeds classify all 32 members
KARATE = {"graph": "karate", "model": "gcn", "depth": 3, "hidden": 32, "lr": 0.03,
          "dropout": 0.5}

PRESETS = [
    Preset("default", {}),
    Preset("Kipf & Welling GCN", {"model": "gcn", "depth": 2, "hidden": 16, "dropout": 0.5,
                                  "lr": 0.01, "weight_decay": 5e-4}),
    Preset("GAT paper", {"model": "gat", "depth": 2, "hidden": 8, "heads": 8, "dropout": 0.6,
                         "lr": 0.005, "weight_decay": 5e-4}),
    Preset("GraphSAGE", {"model": "sage", "depth": 2, "hidden": 16}),
    Preset("GIN", {"model": "gin", "depth": 2, "hidden": 16}),
    Preset("MLP baseline", {"model": "mlp", "depth": 2, "hidden": 16}),
    Preset("karate club", KARATE),
]

EXPERIMENTS = [
    Preset("MLP vs GCN on Cora", {"graph": "cora", "model": "mlp", "depth": 2, "hidden": 16},
           question="How much do the citation links add to the words of a paper?",
           watch="With 140 labels the MLP reaches about 55-60 % test accuracy and stalls. "
                 "Switch Model to gcn (keep the rest) and press reset: about 81 %, because a "
                 "paper tends to cite papers on its own topic."),
    Preset("depth 8: over-smoothing", {"graph": "cora", "model": "gcn", "depth": 8,
                                       "residual": False},
           question="Why not stack many message-passing layers?",
           watch="The over-smoothing chart: the mean cosine similarity of the node vectors "
                 "climbs towards 1 layer after layer, and accuracy stays far below depth 2's. "
                 "Run the depth sweep, then turn on residual connections and compare."),
    Preset("heterophily: homophily 0.1", {"graph": "sbm", "homophily": 0.1,
                                          "feature_noise": 1.0, "model": "gcn"},
           question="Does message passing always help?",
           watch="Here most edges cross blocks, so averaging neighbours mixes classes: GCN "
                 "falls below the MLP on the same graph (switch Model to mlp). Slide homophily "
                 "back up past 1/3 and GCN wins again."),
    Preset("karate club: one label per faction", KARATE,
           question="Can two labels classify a whole club?",
           watch="Only the instructor (node 0) and the officer (node 33) are labelled. Within "
                 "a few dozen epochs the friendships carry the labels to nearly every member; "
                 "the few errors sit on the boundary between the factions."),
    Preset("GAT attention on a hub", {"graph": "cora", "model": "gat", "depth": 2,
                                      "hidden": 8, "heads": 8, "dropout": 0.6, "lr": 0.005},
           question="Does attention weigh a hub's neighbours unequally?",
           watch="Click the node with the most links (the biggest dot) after a hundred epochs: "
                 "the attention bars show each head spreading weight over its neighbours, "
                 "near uniform early, less so later: GAT learns which citations matter."),
]
