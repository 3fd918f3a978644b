"""A toy family for testing the shared machinery without any real architecture."""
from dataclasses import dataclass

import torch

from core.config import Config, Preset, param
from core.training import Trainer


@dataclass(frozen=True)
class ToyConfig(Config):
    hidden: int = param(8, label="Hidden", help="Hidden units.", min=2, max=64)
    lr: float = param(0.05, label="Learning rate", help="Step size.", min=1e-4, max=100.0,
                      scale="log", live=True, group="Training")

    def problems(self):
        return ["Hidden 13 is unlucky: pick 12 or 14."] if self.hidden == 13 else []


PRESETS = [Preset("wide", {"hidden": 32}), Preset("explode", {"lr": 80.0})]


class ToyTrainer(Trainer):
    """Regress y = x1 + x2 with a tiny MLP."""

    config_cls = ToyConfig
    eval_every = 5

    def build(self):
        c = self.config
        self.model = torch.nn.Sequential(torch.nn.Linear(2, c.hidden), torch.nn.Tanh(),
                                         torch.nn.Linear(c.hidden, 1))
        self.add_optimizer("opt", lambda: torch.optim.SGD(self.model.parameters(), lr=c.lr))
        self.x = torch.randn(128, 2, generator=self.gen)
        self.y = self.x.sum(1, keepdim=True)

    def train_step(self):
        idx = torch.randint(0, 128, (32,), generator=self.gen)
        loss = ((self.model(self.x[idx]) - self.y[idx]) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return {"loss": loss.item()}

    def evaluate(self):
        return {"test_loss": ((self.model(self.x) - self.y) ** 2).mean().item()}

    def snapshot(self):
        return {"w": self.model[0].weight.detach().numpy().copy()}
