"""The benchmark every declared family gets until it has its own ``bench/<slug>.py``.

One case, ``<slug>-tick``: the live page's tick (``core.live.tick``: lock slices, the
snapshot when due) against headless training, on the family's default settings, as
``bench.common.app_throughput`` measures it for every family, without the figures (this
module knows none of the family's). A family's own module adds its figures, its
time-to-quality cases and the peer libraries it is compared with.
"""
from __future__ import annotations

from bench.common import app_throughput, throughput_record
from core.families import classes


def run(family: str, seeds: list[int], quick: bool) -> list[dict]:
    config_cls, trainer_cls = classes(family)
    seconds = 1.0 if quick else 4.0
    results = [app_throughput(lambda s=s: trainer_cls(config_cls(), seed=s),
                              lambda t: (), seconds) for s in seeds]
    return [throughput_record(family, f"{family}-tick", results, seeds, seconds)]
