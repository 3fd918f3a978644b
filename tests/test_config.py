"""The hyperparameter schema: validation, URL round trip, clamping, presets."""
from dataclasses import dataclass

import pytest

from core.config import (Config, Preset, apply_overrides, changed_fields, from_dict, from_query,
                         needs_rebuild, param, specs, to_dict, to_query, validate)


@dataclass(frozen=True)
class Demo(Config):
    d_model: int = param(32, label="d_model", help="width", min=8, max=256, step=8)
    n_heads: int = param(4, label="Heads", help="heads", min=1, max=8)
    lr: float = param(1e-3, label="Learning rate", help="lr", min=1e-5, max=1.0, scale="log",
                      live=True, group="Training")
    act: str = param("relu", label="Activation", help="act", choices=("relu", "tanh"))
    tied: bool = param(False, label="Tie weights", help="tie")

    def problems(self):
        if self.d_model % self.n_heads:
            return [f"d_model {self.d_model} is not divisible by {self.n_heads} heads: pick "
                    f"d_model {self.d_model // self.n_heads * self.n_heads or self.n_heads} "
                    f"or {self.n_heads - 1} heads"]
        return []


def test_specs_read_metadata_in_order():
    s = specs(Demo)
    assert [x.name for x in s] == ["d_model", "n_heads", "lr", "act", "tied"]
    lr = s[2]
    assert (lr.type, lr.min, lr.max, lr.scale, lr.live, lr.group) == (
        float, 1e-5, 1.0, "log", True, "Training")
    assert s[3].choices == ("relu", "tanh")


def test_validate_reports_every_problem_in_plain_words():
    assert validate(Demo()) == []
    probs = validate(Demo(d_model=1000, lr=5.0, act="sigmoid"))
    assert len(probs) == 3
    assert "d_model 1000 is above the maximum 256" in probs[0]
    assert "not one of relu, tanh" in probs[2]
    cross = validate(Demo(d_model=30, n_heads=4))
    assert cross == ["d_model 30 is not divisible by 4 heads: pick d_model 28 or 3 heads"]


def test_query_round_trip_keeps_defaults_out():
    cfg = Demo(lr=0.01, act="tanh", tied=True)
    q = to_query(cfg)
    assert q == {"lr": "0.01", "act": "tanh", "tied": "True"}
    back, notes = from_query(Demo, q)
    assert back == cfg and notes == []


@pytest.mark.parametrize("params, field, value, fragment", [
    ({"lr": "abc"}, "lr", 1e-3, "Expect a number"),
    ({"lr": "nan"}, "lr", 1e-3, "finite"),
    ({"lr": "50"}, "lr", 1.0, "out of range"),
    ({"n_heads": "2.5"}, "n_heads", 4, "whole number"),
    ({"d_model": "-3"}, "d_model", 8, "out of range"),
    ({"act": "sigmoid"}, "act", "relu", "not one of"),
    ({"tied": "maybe"}, "tied", False, "true or false"),
])
def test_bad_url_values_are_clamped_or_replaced_with_a_note(params, field, value, fragment):
    cfg, notes = from_query(Demo, params)
    assert getattr(cfg, field) == value
    assert len(notes) == 1 and fragment in notes[0]


def test_from_dict_notes_unknown_keys_and_round_trips():
    cfg = Demo(n_heads=2, lr=0.3)
    back, notes = from_dict(Demo, to_dict(cfg) | {"bogus": 1})
    assert back == cfg
    assert notes == ["Unknown setting 'bogus' ignored."]


def test_presets_and_live_fields():
    p = Preset("wide", {"d_model": 128})
    assert apply_overrides(Demo(), p.overrides).d_model == 128
    with pytest.raises(KeyError):
        apply_overrides(Demo(), {"nope": 1})
    assert changed_fields(Demo(), Demo(lr=0.5)) == {"lr"}
    assert not needs_rebuild(Demo(), Demo(lr=0.5))
    assert needs_rebuild(Demo(), Demo(n_heads=2))
    assert needs_rebuild(None, Demo())
