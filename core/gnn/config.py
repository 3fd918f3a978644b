"""Hyperparameters of the graph-network family: one frozen dataclass, presets and experiments.

Field names are URL query-parameter names (``?model=gat&depth=2&heads=8``).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param

__all__ = ["GNNConfig", "PRESETS", "EXPERIMENTS", "MAX_WIDTH", "KARATE"]

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
        help="Fraction of edges inside a block. 1/3 is random for 3 blocks: a neighbour's "
             "class then says nothing about a node's. At σ = 1, GCN is worst near 1/3 and "
             "beats the MLP only from about 0.6 (averaging also dilutes a node's own "
             "features); below 1/3 neighbours are mostly of other classes.")
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
        help="Add each hidden-to-hidden layer's input to its output (h + ReLU(layer(h)), "
             "ELU for GAT): keeps deep stacks from mapping every node to nearly the same vector.")
    self_loops: bool = param(
        True, label="Self-loops",
        help="GCN and GAT include a node in its own neighbourhood (A + I). Off: a node sees "
             "only its neighbours. SAGE and GIN always keep the node's own vector apart.")
    lr: float = param(
        0.01, label="Learning rate", group="Training", min=1e-4, max=1.0, step=1e-3,
        scale="log", live=True, above_max="default",
        help="Adam step size; 0.01 for GCN, 0.005 for GAT (their papers' values).")
    weight_decay: float = param(
        5e-4, label="Weight decay", group="Training", min=0.0, max=0.1, step=1e-4,
        live=True,
        help="L2 penalty on every parameter, biases included (Adam's weight_decay); 5e-4 in "
             "both papers (Kipf & Welling on the first layer only). "
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

#: where each experiment's promise is checked
CLAIMS = "tests/test_claims_gnn.py::"

EXPERIMENTS = [
    Preset("MLP vs GCN on Cora", {"graph": "cora", "model": "mlp", "depth": 2, "hidden": 16},
           question="How much do the citation links add to the words of a paper?",
           watch="With 140 labels the MLP fits its training nodes perfectly but reaches only "
                 "about 52-62 % test accuracy (at the best validation epoch, 200 epochs, seeds "
                 "0-2). Switch Model to gcn (keep the rest) and press reset: 79-84 %, because a "
                 "paper tends to cite papers on its own topic.",
           test=CLAIMS + "test_gnn_mlp_stalls_near_58_and_gcn_reaches_81_on_cora"),
    Preset("depth 8: over-smoothing", {"graph": "cora", "model": "gcn", "depth": 8,
                                       "residual": False},
           question="Why not stack many message-passing layers?",
           watch="Look at the over-smoothing chart before pressing play: with random weights "
                 "the mean cosine similarity of the node vectors climbs layer after layer, from "
                 "under 0.1 at the input to above 0.85 at layer 8 (repeated averaging makes "
                 "nodes alike). Then train: after 200 epochs the test accuracy is under 50 % "
                 "(depth 2: about 80 %) and the cosine sits high from layer 1 on (about 1 on "
                 "most seeds), flat rather than climbing: nearly every node gets the same "
                 "vector. (The vectors are taken after ReLU, so they are never negative and even "
                 "unrelated ones score above 0.) Turn on residual connections: about 42-65 %, "
                 "better but still below depth 2, with the cosine below 0.8.",
           test=CLAIMS + "test_gnn_depth_8_smooths_untrained_and_trains_far_below_depth_2"),
    Preset("heterophily: homophily 0.1", {"graph": "sbm", "homophily": 0.1,
                                          "feature_noise": 1.0, "model": "gcn"},
           question="Does message passing always help?",
           watch="Here most edges cross blocks, so averaging neighbours mixes classes: GCN "
                 "scores well below the MLP on the same graph (switch Model to mlp; averaged "
                 "over seeds 0-2, about 0.38 against 0.56). Slide homophily up: at 0.35 "
                 "(neighbours of random classes) GCN is no better, at 0.5 still below the MLP; "
                 "only from about 0.6 does it pull ahead, and at 0.8 it leads by over 25 "
                 "points. Averaging with neighbours dilutes a node's own features, so the "
                 "neighbours must agree with it clearly more often than at random to pay.",
           test=CLAIMS + "test_gnn_heterophily_gcn_below_mlp_until_about_0_6"),
    Preset("karate club: one label per faction", KARATE,
           question="Can two labels classify a whole club?",
           watch="Only the instructor (node 0) and the officer (node 33) are labelled. Within "
                 "50 epochs the friendships carry the labels to at least 29 of the other 32 "
                 "members (seeds 0-2); each member still wrong has friends in both factions.",
           test=CLAIMS + "test_gnn_karate_two_labels_reach_nearly_everyone"),
    Preset("GAT attention on a hub", {"graph": "cora", "model": "gat", "depth": 2,
                                      "hidden": 8, "heads": 8, "dropout": 0.6, "lr": 0.005},
           question="Does attention weigh a hub's neighbours unequally?",
           watch="Click the node with the most links (the biggest dot, 168 links) after a "
                 "hundred epochs. The map colours each weight as a multiple of the uniform "
                 "share 1/169: every head of layer 1 stays close to uniform (normalised "
                 "entropy above 0.99 at epochs 100 and 200, no weight above 5 shares, seeds "
                 "0-2), while test accuracy passes 78 %. The network learns to classify, not "
                 "which citations matter: here GAT's attention is close to a plain mean. "
                 "(Brody et al. 2022 show a limit of its form: every node ranks a given set of "
                 "neighbours the same way.)",
           test=CLAIMS + "test_gnn_gat_attention_on_the_hub_stays_near_uniform"),
]
