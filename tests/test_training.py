"""The Trainer base: seeding, run_for, divergence, bounded history, timeline, persistence."""
import time

import numpy as np
import pytest
import torch
from toy import ToyConfig, ToyTrainer

from core.training import History, Timeline, time_to_target


LinCfg, LinTrainer = ToyConfig, ToyTrainer  # y = x1 + x2 with a tiny MLP (tests/toy.py)


def test_same_seed_same_run_step_for_step():
    a, b = LinTrainer(LinCfg(), seed=3), LinTrainer(LinCfg(), seed=3)
    a.run_steps(40)
    b.run_for(0.0)  # one step
    b.run_steps(39)
    assert a.history.series("loss")[1].tolist() == b.history.series("loss")[1].tolist()
    c = LinTrainer(LinCfg(), seed=4)
    c.run_steps(40)
    assert a.history.last("loss") != c.history.last("loss")


def test_loss_falls_and_eval_is_recorded():
    t = LinTrainer(LinCfg(), seed=0)
    t.run_steps(300)
    steps, vals = t.history.series("test_loss")
    assert steps.tolist()[:3] == [5, 10, 15]
    assert vals[-1] < 0.1 * vals[0]


def test_divergence_stops_and_reports_instead_of_raising():
    t = LinTrainer(LinCfg(lr=60.0), seed=0)
    res = t.run_for(5.0)
    assert res.diverged is not None and t.diverged is res.diverged
    assert res.steps < 200
    msg = t.diverged.message()
    assert f"step {t.diverged.step}" in msg and "loss" in msg and "try 6" in msg
    before = t.step
    assert t.run_for(0.5).steps == 0 and t.step == before  # stays inspectable, no more steps


def test_live_lr_change_reaches_the_optimiser():
    t = LinTrainer(LinCfg(), seed=0)
    assert t.apply_live(LinCfg(lr=0.01))
    assert t.opt.param_groups[0]["lr"] == 0.01
    assert not t.apply_live(LinCfg(hidden=16))  # architecture change needs a rebuild


def test_history_is_bounded_and_keeps_the_ends():
    h = History(cap=100)
    for i in range(1, 10_001):
        h.record(i, {"loss": 1.0 / i})
    steps, vals = h.series("loss")
    assert len(steps) <= 101
    assert steps[0] == 1 and steps[-1] == 10_000
    assert np.all(np.diff(steps) > 0)
    csv = h.to_csv().splitlines()
    assert csv[0] == "step,loss" and csv[-1].startswith("10000,")


def test_timeline_keeps_at_most_cap_spread_over_the_run():
    tl = Timeline(cap=10)
    for step in range(0, 1000):
        if tl.due(step):
            tl.add(step, {"s": step})
    steps = tl.steps()
    assert len(steps) <= 10 and steps[0] == 0 and steps[-1] > 800
    assert tl.at(steps[3] + 1)["s"] == steps[3]


def test_tick_records_snapshots_and_state_dict_round_trips():
    from core.live import tick
    t = LinTrainer(LinCfg(), seed=1)
    for _ in range(3):
        tick(t, 0.01)
    assert t.timeline.steps()[-1] == t.step
    blob = t.save_bytes()
    u = LinTrainer.load_bytes(blob)
    assert u.step == t.step and u.config == t.config
    for p, q in zip(t.model.parameters(), u.model.parameters()):
        assert torch.equal(p, q)
    assert u.history.series("loss")[1].tolist() == t.history.series("loss")[1].tolist()


def test_loading_a_bad_file_raises_a_clear_error():
    with pytest.raises(ValueError, match="Expect an ArchLab .pt checkpoint"):
        LinTrainer.load_bytes(b"this is not a checkpoint")
    import io
    buf = io.BytesIO()
    torch.save({"weights": torch.zeros(2)}, buf)
    with pytest.raises(ValueError, match="some other file"):
        LinTrainer.load_bytes(buf.getvalue())


def test_time_to_target_counts_training_time_only():
    secs, steps, t = time_to_target(lambda: LinTrainer(LinCfg(), seed=0),
                                    lambda tr: tr.history.last("test_loss", 1e9) < 0.05, 10.0,
                                    check_every_s=0.01)
    assert secs is not None and steps == t.step and secs <= t.train_seconds + 1e-9


def test_relative_explosion_counts_as_divergence_when_asked():
    class Touchy(LinTrainer):
        explode_factor = 3.0

        def train_step(self):
            return {"loss": [1.0, 2.0, 2.5, 50.0][min(self.step, 3)]}

    t = Touchy(LinCfg(), seed=0)
    t.run_steps(10)
    assert t.diverged is not None and t.diverged.step == 4 and t.diverged.value == 50.0
    assert LinTrainer.explode_factor is None  # off by default


def test_declared_optimizer_is_built_on_first_use_and_follows_its_field():
    t = LinTrainer(LinCfg(), seed=0)
    assert t._optims["opt"].built is None          # nothing built until a step needs it
    t.run_steps(3)
    assert isinstance(t.opt, torch.optim.SGD) and t.opt is t.optimizers()[0]
    assert t.apply_live(LinCfg(lr=0.02)) and t.opt.param_groups[0]["lr"] == 0.02
    assert t.lr_fields() == ["lr"]


def test_schedule_scales_the_declared_rate_every_step():
    class Warm(LinTrainer):
        def build(self):
            super().build()
            self.add_optimizer("opt", lambda: torch.optim.SGD(self.model.parameters(), lr=1.0),
                               lr_field="lr", schedule=lambda step: min(1.0, (step + 1) / 4))

    t = Warm(LinCfg(lr=0.04), seed=0)
    seen = []
    for _ in range(6):
        t.run_steps(1)
        seen.append(round(t.opt.param_groups[0]["lr"], 6))
    assert seen == [0.01, 0.02, 0.03, 0.04, 0.04, 0.04]


def test_two_optimizers_on_two_fields_get_their_own_rates_and_advice():
    from dataclasses import dataclass
    from core.config import param

    @dataclass(frozen=True)
    class TwoCfg(LinCfg):
        lr_b: float = param(0.5, label="Second rate", help=".", min=1e-4, max=10.0,
                            scale="log", live=True)

    class Two(LinTrainer):
        config_cls = TwoCfg

        def build(self):
            super().build()
            self.head = torch.nn.Linear(1, 1)
            self.add_optimizer("opt_b", lambda: torch.optim.SGD(self.head.parameters(),
                                                                lr=self.config.lr_b),
                               lr_field="lr_b")

    t = Two(TwoCfg(), seed=0)
    assert t.apply_live(TwoCfg(lr=0.01, lr_b=0.2))
    assert t.opt.param_groups[0]["lr"] == 0.01 and t.opt_b.param_groups[0]["lr"] == 0.2
    advice = t.suggestion("loss")
    assert "Learning rate 0.01" in advice and "Second rate 0.2" in advice


def test_long_history_keeps_its_start_evenly_resolved():
    """100,000 steps: the kept points are spread evenly over the whole run, start included
    (the old scheme thinned old points again and again and left a hole of 5,000 steps)."""
    h = History(cap=2000)
    for i in range(1, 100_001):
        h.record(i, {"loss": 1.0 / i})
    steps, vals = h.series("loss")
    assert 1000 <= len(steps) <= 2001 and steps[0] == 1 and steps[-1] == 100_000
    gaps = np.diff(steps[:-1])
    assert gaps.max() == gaps.min()                       # one stride over the whole run
    first_tenth = np.sum(steps <= 10_000)
    assert abs(first_tenth / len(steps) - 0.1) < 0.01     # a tenth of the run, a tenth of points
    assert gaps.max() <= 128
    # a metric recorded every 50 steps keeps the same even spread
    h2 = History(cap=100)
    for i in range(50, 100_001, 50):
        h2.record(i, {"val_loss": 1.0})
    s2, _ = h2.series("val_loss")
    assert s2[0] == 50 and s2[-1] == 100_000 and np.ptp(np.diff(s2[:-1])) == 0


def test_history_state_round_trips_with_its_strides():
    h = History(cap=10)
    for i in range(1, 1001):
        h.record(i, {"loss": float(i)})
    h2 = History.from_state(h.state())
    for i in range(1001, 2001):
        h.record(i, {"loss": float(i)})
        h2.record(i, {"loss": float(i)})
    assert h.series("loss")[0].tolist() == h2.series("loss")[0].tolist()
    assert h2.last("loss") == 2000.0


class PartsTrainer(ToyTrainer):
    """The toy's step cut into three parts: forward, backward, update (a long step's shape)."""

    def train_parts(self):
        idx = torch.randint(0, 128, (32,), generator=self.gen)
        loss = ((self.model(self.x[idx]) - self.y[idx]) ** 2).mean()
        yield "forward done"
        self.opt.zero_grad()
        loss.backward()
        yield "backward done"
        self.opt.step()
        return {"loss": loss.item()}


def test_a_step_in_parts_is_cut_at_the_deadline_and_resumed_to_the_same_numbers():
    whole, cut = PartsTrainer(LinCfg(), seed=2), PartsTrainer(LinCfg(), seed=2)
    whole.run_steps(12)
    progress = []
    while cut.step < 12:
        res = cut.run_for(0.0)           # a deadline already past: one part per call
        progress.append(cut.progress)
        assert res.pending == (res.steps == 0)
    assert progress[:3] == ["forward done", "backward done", None]
    assert len(progress) == 36           # three parts per step, every one its own call
    assert whole.history.series("loss")[1].tolist() == cut.history.series("loss")[1].tolist()
    for p, q in zip(whole.model.parameters(), cut.model.parameters()):
        assert torch.equal(p, q)
    assert not LinTrainer(LinCfg()).in_parts and cut.in_parts


def test_a_half_done_step_takes_no_snapshot_and_is_finished_by_whatever_needs_a_whole_one():
    t = PartsTrainer(LinCfg(), seed=2)
    t.record_snapshot(force=True)
    assert t.run_for(0.0).pending and t.pending
    assert t.record_snapshot(force=True) is t.timeline.latest()[1]
    assert t.timeline.steps() == [0]                      # no moment of a half-done step
    state = t.state_dict()                                # a checkpoint: whole steps only
    assert state["step"] == 1 and not t.pending
    t.run_for(0.0)
    assert t.run_steps(1).steps == 1 and t.step == 2 and not t.pending  # Step ends it
    t.run_for(0.0)
    assert t.apply_live(LinCfg(lr=0.01)) and t.step == 3 and not t.pending
    ref = PartsTrainer(LinCfg(), seed=2)
    ref.run_steps(2)
    ref.apply_live(LinCfg(lr=0.01))
    ref.run_steps(1)
    assert ref.history.series("loss")[1].tolist() == t.history.series("loss")[1].tolist()


def test_a_tick_that_ended_a_step_ends_on_its_boundary_not_inside_the_next(monkeypatch):
    t = PartsTrainer(LinCfg(), seed=0)
    t.step_seconds = 100.0              # the last step took long: another would not fit
    assert not t.fits(time.perf_counter() + 5.0)
    assert LinTrainer(LinCfg()).fits(0.0)  # whole-step families may always start one more
    t.step_seconds = 0.0
    assert t.fits(time.perf_counter() + 5.0)
    t.run_for(0.0)                      # pending after one part
    monkeypatch.setattr(t, "fits", lambda deadline: False)
    res = t.run_for(5.0)                # ends the pending step, then stops on its boundary
    assert (res.steps, res.pending, t.pending) == (1, False, False)
    monkeypatch.undo()
    res = t.run_for(0.02)               # short steps: on until the deadline, never inside one
    assert res.steps > 1 and not res.pending
    res = t.run_for(0.0, cut=False)     # not cutting: a whole step even past the deadline
    assert (res.steps, res.pending) == (1, False)
