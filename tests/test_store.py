"""The run store round-trips runs, upgrades old schemas and explains broken databases.

Runs against SQLite always, and against PostgreSQL when ``ARCHLAB_TEST_PG_URL`` is set (CI
starts a server from Debian's packages; elsewhere those cases skip with the reason shown).
"""
import os
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from toy import ToyConfig, ToyTrainer

from core.metrics import Metric
from core.runs import compare
from core.runs import store as S

PG_URL = os.environ.get("ARCHLAB_TEST_PG_URL")


class Declared(ToyTrainer):
    metrics = (Metric("loss", "Training loss"), Metric("test_loss", "Test loss"))


def _fresh_pg(url):
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS runs, sweeps, schema_version CASCADE"))
    eng.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide PostgreSQL (ARCHLAB_TEST_PG_URL, see .ci/run)")
        pytest.skip("no PostgreSQL here: set ARCHLAB_TEST_PG_URL to run these on one")
    return _fresh_pg(PG_URL)


def _rec(seed=0, steps=30, lr=0.05):
    t = Declared(ToyConfig(lr=lr), seed=seed)
    t.run_steps(steps)
    return compare.pin(f"toy seed {seed}", "toy", t), t


def test_a_run_round_trips_with_everything_to_rebuild_it(url):
    st = S.RunStore(url)
    rec, t = _rec(seed=3, steps=40)
    rid = st.save_run(rec, owner="alice", weights=t.save_bytes())
    assert len(rid) == 32 and int(rid, 16) >= 0                  # 128 random bits, hex
    got = S.RunStore(url).get_run(rid, weights=True)              # a new process, same file
    assert got["config"] == rec["config"] and got["seed"] == 3 and got["step"] == 40
    assert got["history"] == rec["history"] and got["metrics"] == rec["metrics"]
    assert got["final"]["loss"] == pytest.approx(t.history.last("loss"))
    assert got["status"] == "pinned" and got["created_at"] > 0
    back = Declared.load_bytes(got["weights"])
    assert back.step == 40 and back.history.last("loss") == t.history.last("loss")


def test_lists_are_private_and_sortable_links_are_not(url):
    st = S.RunStore(url)
    ids = {}
    for seed, lr in ((0, 0.05), (1, 0.01), (2, 0.2)):
        rec, _ = _rec(seed=seed, lr=lr)
        ids[seed] = st.save_run(rec, owner="alice")
    bob = st.save_run(_rec(seed=9)[0], owner="bob")
    mine = st.list_runs("alice", family="toy", sort_by="loss", descending=False)
    assert [r["seed"] for r in mine] != [] and bob not in S.ids(mine) and len(mine) == 3
    losses = [r["final"]["loss"] for r in mine]
    assert losses == sorted(losses)
    assert st.get_run(bob)["seed"] == 9                  # the link opens it for anyone
    assert not st.delete_run(bob, "alice")               # but only bob deletes it
    assert st.delete_run(ids[1], "alice") and st.get_run(ids[1]) is None


def test_unfinished_runs_are_failed_when_their_heartbeat_stops(url):
    st = S.RunStore(url)
    rid = st.save_run(_rec()[0], owner="w", status="running")
    live = st.save_run(_rec()[0], owner="w", status="running")
    with st.engine.begin() as c:  # the first worker died a minute ago
        c.execute(S.runs_t.update().where(S.runs_t.c.id == rid).values(updated_at=0.0))
    assert st.fail_stale(older_than_s=30) == 1
    assert st.get_run(rid)["status"] == "failed" and "stopped reporting" in st.get_run(rid)["error"]
    assert st.get_run(live)["status"] == "running"


def test_an_old_schema_is_upgraded_without_losing_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:  # a database as version 1 of ArchLab left it
        S.MIGRATIONS[0](c)
        c.execute(S.version_t.insert().values(version=1))
        c.execute(sa.text(
            "INSERT INTO runs (id, owner, family, label, config, seed, step, status, "
            "wall_seconds, final, metrics, history, created_at, updated_at) VALUES "
            "('ab12', 'alice', 'toy', 'old run', '{\"lr\": 0.1}', 1, 5, 'pinned', 0.5, "
            "'{\"loss\": 0.25}', '[]', '{}', 1.0, 1.0)"))
        assert "weights" not in {col["name"] for col in sa.inspect(c).get_columns("runs")}
    st = S.RunStore(url)
    assert st.version() == S.SCHEMA_VERSION == 2
    old = st.get_run("ab12")
    assert old["final"] == {"loss": 0.25} and old["label"] == "old run"
    assert st.get_run("ab12", weights=True)["weights"] is None       # the new column, empty
    assert st.create_sweep(owner="alice", family="toy", spec={"n": 1})  # the new table works


def test_a_corrupt_or_locked_file_gets_a_plain_message(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database, it is a shopping list" * 100)
    with pytest.raises(S.StoreError, match="not a readable database"):
        S.RunStore(f"sqlite:///{bad}")
    ok = tmp_path / "ok.db"
    st = S.RunStore(f"sqlite:///{ok}")
    holder = sqlite3.connect(ok, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    st.engine.dispose()
    st2 = S.RunStore.__new__(S.RunStore)
    st2.url = f"sqlite:///{ok}"
    st2.engine = sa.create_engine(st2.url, connect_args={"timeout": 0.2})
    with pytest.raises(S.StoreError, match="locked"):
        st2.save_run(_rec()[0], owner="a")
    holder.rollback()
    holder.close()


def test_concurrent_writers_do_not_mix_records(url):
    st = S.RunStore(url)
    out, errors = {}, []

    def write(who):
        try:
            out[who] = [st.save_run(_rec(seed=i)[0], owner=who) for i in range(5)]
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in ("a", "b", "c")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    for who, ids in out.items():
        assert sorted(S.ids(st.list_runs(who))) == sorted(ids)
