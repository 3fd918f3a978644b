"""The graph page's "experiments to try", each run on its own settings, seeded, for a stated
number of epochs (one step = one epoch), checking what its text promises on seeds 0-2. When
one fails, fix the text or the experiment, not the bound.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import preset_overrides

from core.config import apply_overrides
from core.gnn.config import EXPERIMENTS, GNNConfig
from core.gnn.figures import attention_into
from core.gnn.trainer import GNNTrainer

pytestmark = pytest.mark.slow

SEEDS = (0, 1, 2)


def _exp(prefix: str) -> dict:
    return preset_overrides(EXPERIMENTS, prefix)


def _run(overrides: dict, epochs: int, seed: int) -> GNNTrainer:
    t = GNNTrainer(apply_overrides(GNNConfig(), overrides), seed)
    t.run_steps(epochs)
    return t


def test_gnn_mlp_stalls_near_58_and_gcn_reaches_81_on_cora():
    """"MLP about 55-60 % and stalls; GCN about 81 %" (best-validation test accuracy,
    200 epochs)."""
    over = _exp("MLP vs GCN")
    for seed in SEEDS:
        mlp = _run(over, 200, seed)
        gcn = _run({**over, "model": "gcn"}, 200, seed)
        assert 0.52 <= mlp.best_test <= 0.62 and 0.79 <= gcn.best_test <= 0.84, (
            seed, mlp.best_test, gcn.best_test)
        assert mlp.history.last("train_acc") == 1.0, seed       # it fits its 140 labels
        assert gcn.best_test > mlp.best_test + 0.2, seed         # theory: "over 20 points"


def test_gnn_depth_8_smooths_untrained_and_trains_far_below_depth_2():
    """Untrained, the mean cosine climbs layer after layer to above 0.85 at layer 8; trained
    for 200 epochs, the best-validation test accuracy stays under 0.5 (depth 2: over 0.78),
    and the cosine after layer 1 is above 0.55 on every seed, about 1 on most."""
    over = _exp("depth 8")
    high = 0
    for seed in SEEDS:
        t = GNNTrainer(apply_overrides(GNNConfig(), over), seed)
        cos0 = t.snapshot().cos                          # (9,): input, then layers 1-8
        assert cos0[0] < 0.1 and cos0[1] < 0.6 and cos0[8] > 0.85, (seed, cos0)
        assert np.mean(np.diff(cos0[1:]) > 0) >= 5 / 7, (seed, cos0)  # mostly rising
        t.run_steps(200)
        cos = t.snapshot().cos
        two = _run({**over, "depth": 2}, 100, seed)
        assert t.best_test < 0.5 < 0.78 < two.best_test, (seed, t.best_test, two.best_test)
        assert cos[1] > 0.55, (seed, cos)
        high += bool(cos[1:8].min() > 0.95)
    assert high >= 2, high


@pytest.mark.parametrize("seed", SEEDS)
def test_gnn_depth_8_residual_trains_better_but_below_depth_2(seed):
    """Residual connections: depth 8 scores better than without (about 0.5 against at most
    0.45) but still far below depth 2, and its cosine stays below 0.8 from layer 1 on."""
    over = _exp("depth 8")
    plain = _run(over, 200, seed)
    res = _run({**over, "residual": True}, 200, seed)
    cos = res.snapshot().cos
    assert plain.best_test < res.best_test and 0.42 < res.best_test < 0.65, (
        plain.best_test, res.best_test)
    assert cos[1:8].max() < 0.8, cos


def _mean_best(overrides: dict, epochs: int = 200) -> float:
    return float(np.mean([_run(overrides, epochs, s).best_test for s in SEEDS]))


def test_gnn_heterophily_gcn_below_mlp_until_about_0_6():
    """Mean over seeds 0-2 of the best-validation test accuracy after 200 epochs: the MLP
    about 0.56 at every homophily (it ignores the edges); GCN about 0.38 at 0.1, no better at
    0.35 (random neighbours), still below the MLP at 0.5, ahead from 0.6, far ahead at 0.8."""
    over = _exp("heterophily")
    mlp = _mean_best({**over, "model": "mlp"})
    gcn = {h: _mean_best({**over, "homophily": h}) for h in (0.1, 0.35, 0.5, 0.6, 0.8)}
    assert 0.5 < mlp < 0.62, mlp
    assert gcn[0.1] < mlp - 0.1 and gcn[0.35] < mlp - 0.1, (mlp, gcn)
    assert gcn[0.35] < gcn[0.1] + 0.05, (mlp, gcn)           # 1/3 is no better than 0.1
    assert gcn[0.5] < mlp < gcn[0.6] and gcn[0.8] > mlp + 0.25, (mlp, gcn)


def test_gnn_karate_two_labels_reach_nearly_everyone():
    """Within 50 epochs at least 29 of the 32 unlabelled members are right on every seed,
    and every wrong one has friends in both factions."""
    for seed in SEEDS:
        t = _run(_exp("karate"), 50, seed)
        s = t.snapshot()
        test = s.split == 3
        wrong = np.flatnonzero(test & (s.pred != s.labels))
        assert test.sum() == 32 and len(wrong) <= 3, (seed, wrong)
        src, dst = t.graph.edge_index.numpy()
        for i in wrong:
            factions = set(s.labels[src[dst == i]].tolist())
            assert factions == {0, 1}, (seed, i, factions)


def _hub_attention(t: GNNTrainer) -> tuple[np.ndarray, np.ndarray]:
    """At the highest-degree node, from the array the attention map draws: each layer-1
    head's normalised entropy (1 = uniform) and each weight as a multiple of 1/k."""
    s = t.snapshot()
    _, a = attention_into(s, int(np.argmax(s.degree)), layer=0)      # (k, H)
    a = a.astype(np.float64)
    k = len(a)
    assert k == 169                                   # the hub: 168 links and itself
    return -(a * np.log(np.clip(a, 1e-12, None))).sum(0) / np.log(k), a * k


@pytest.mark.parametrize("seed", SEEDS)
def test_gnn_gat_attention_on_the_hub_stays_near_uniform(seed):
    """At the biggest hub (168 links + itself), every head of layer 1 keeps a normalised
    entropy above 0.99 at epochs 100 and 200, no weight above 5× the uniform share 1/k, while
    test accuracy reaches about 0.8."""
    t = GNNTrainer(apply_overrides(GNNConfig(), _exp("GAT attention")), seed)
    for epoch in (100, 200):
        t.run_steps(epoch - t.step)
        ent, share = _hub_attention(t)
        assert ent.shape == (8,) and ent.min() > 0.99 and share.max() < 5, (
            epoch, ent, share.max())
    assert t.best_test > 0.78, t.best_test
