"""Pinned runs: self-contained copies that the compare page reads without torch."""
import json

import numpy as np
from toy import ToyConfig, ToyTrainer

from core.runs import compare
from core.metrics import Metric


class Declared(ToyTrainer):
    metrics = (Metric("loss", "Training loss", unit="MSE", log=True),
               Metric("test_loss", "Test loss", unit="MSE"))


def _pinned(seed, lr, steps=40):
    t = Declared(ToyConfig(lr=lr), seed=seed)
    t.run_steps(steps)
    return compare.pin(f"run {seed}", "toy", t), t


def test_pin_is_a_plain_copy_with_its_declarations():
    rec, t = _pinned(0, 0.05)
    json.dumps(rec)                                   # plain data: storable as it is
    t.run_steps(10)                                   # the trainer goes on; the pin does not
    assert rec["step"] == 40
    assert compare.metric_title([rec], "loss") == ("Training loss", "MSE", True)
    assert compare.metric_title([rec], "other") == ("other", "other", False)


def test_overlay_diff_and_final_values():
    a, ta = _pinned(0, 0.05)
    b, tb = _pinned(1, 0.01)
    assert compare.common_metrics([a, b]) == ["loss", "test_loss"]
    d = compare.overlay([a, b], "loss")
    assert set(d["metric"]) == {"run 0", "run 1"} and len(d["step"]) == 80
    rows = {r["setting"]: r for r in compare.config_diff([a, b])}
    assert rows["lr"]["run 0"] == 0.05 and rows["seed"]["run 1"] == 1
    final = compare.final_values([a, b], ["loss"])
    assert np.isclose(final[0]["loss"], round(ta.history.last("loss"), 4))
