"""The run store: pinned runs and sweeps, kept in a database (SQLite by default).

One module owns persistence. By default the database is a SQLite file, ``archlab.db`` in the
data directory (``ARCHLAB_DATA``, default ``.archlab-data/``; see :mod:`core.paths`), created
on first use; set ``ARCHLAB_DB_URL`` (an SQLAlchemy URL such as
``postgresql+psycopg://user@localhost/archlab``) and the same code runs on PostgreSQL, which
is what several servers of a class share. Queries are SQLAlchemy Core, never SQL strings.

A run record holds everything needed to rebuild and compare it: family, config (the schema
dict), seed, metric histories (``History.state()``) with the family's metric declarations,
final metrics, wall time, step count, status, owner, creation time, and optionally weights.
Its id is a random 128-bit token: the unguessable link (``?run=<id>``) that opens it read-only
for whoever holds it; lists show a browser only its own runs.

Schema changes are explicit, numbered migrations (:data:`MIGRATIONS`), applied in order when a
store opens a database older than :data:`SCHEMA_VERSION`; tests upgrade an old database.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError, OperationalError

from core.paths import data_dir

__all__ = ["RunStore", "StoreError", "SCHEMA_VERSION", "default_url", "open_store"]

SCHEMA_VERSION = 2
#: a run whose worker has not reported for this long is no longer running
STALE_AFTER_S = 30.0


class StoreError(RuntimeError):
    """The run store cannot be used; the message says why in plain words."""


def default_url() -> str:
    url = os.environ.get("ARCHLAB_DB_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'archlab.db'}"


meta = sa.MetaData()
version_t = sa.Table("schema_version", meta, sa.Column("version", sa.Integer, nullable=False))


def _run_columns() -> list[sa.Column]:
    """Fresh column objects of the runs table (a migration builds older shapes from them)."""
    return [
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("family", sa.String(32), nullable=False, index=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("config", sa.Text, nullable=False),         # JSON
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer, nullable=False, default=0),
        sa.Column("status", sa.String(16), nullable=False),   # pinned|running|finished|failed
        sa.Column("wall_seconds", sa.Float, nullable=False, default=0.0),
        sa.Column("final", sa.Text, nullable=False),          # JSON {metric: last value}
        sa.Column("metrics", sa.Text, nullable=False),        # JSON declarations
        sa.Column("history", sa.Text, nullable=False),        # JSON History.state()
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),    # the heartbeat of a running run
        # v2
        sa.Column("weights", sa.LargeBinary, nullable=True),
        sa.Column("sweep_id", sa.String(32), nullable=True, index=True),
        sa.Column("error", sa.Text, nullable=True),
    ]


runs_t = sa.Table("runs", meta, *_run_columns())
sweeps_t = sa.Table(
    "sweeps", meta,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    sa.Column("family", sa.String(32), nullable=False),
    sa.Column("spec", sa.Text, nullable=False),           # JSON
    sa.Column("status", sa.String(16), nullable=False),   # running|cancelled|finished
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

V1_RUN_COLUMNS = ("id", "owner", "family", "label", "config", "seed", "step", "status",
                  "wall_seconds", "final", "metrics", "history", "created_at", "updated_at")


def _migrate_1(conn: sa.Connection) -> None:
    """v1: the version table and runs without weights, sweeps or errors."""
    version_t.create(conn, checkfirst=True)
    v1 = sa.Table("runs", sa.MetaData(), *[c for c in _run_columns()
                                           if c.name in V1_RUN_COLUMNS])
    v1.create(conn, checkfirst=True)


def _migrate_2(conn: sa.Connection) -> None:
    """v2: weights, sweep membership and the error text on runs; the sweeps table."""
    for col in ("weights", "sweep_id", "error"):
        c = runs_t.c[col]
        ddl = sa.schema.CreateColumn(c).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE runs ADD COLUMN {ddl}"))
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_runs_sweep_id ON runs (sweep_id)"))
    sweeps_t.create(conn, checkfirst=True)


#: numbered, in order: MIGRATIONS[k] brings a database from version k to k + 1
MIGRATIONS: list[Callable[[sa.Connection], None]] = [_migrate_1, _migrate_2]
assert len(MIGRATIONS) == SCHEMA_VERSION


def _json(x: Any) -> str:
    return json.dumps(x, allow_nan=True, separators=(",", ":"))


def _finite(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


class RunStore:
    """Runs and sweeps in one database. Thread-safe; one per process is enough."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True,
                                                                       exist_ok=True)
                self.engine = sa.create_engine(
                    self.url, connect_args={"timeout": 5, "check_same_thread": False})
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = sa.create_engine(self.url, pool_pre_ping=True)
            self.migrate()
        except (OperationalError, DatabaseError) as e:
            raise StoreError(_plain(e, self.url)) from None

    # ---- schema ---------------------------------------------------------------------------
    def version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            v = conn.execute(sa.select(version_t.c.version)).scalar()
            return int(v or 0)

    def migrate(self) -> int:
        """Apply the migrations this database lacks; returns the version now."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # two servers starting at once: one migrates
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7411)"))
            has = sa.inspect(conn).has_table("schema_version")
            v = int(conn.execute(sa.select(version_t.c.version)).scalar() or 0) if has else 0
            if v > SCHEMA_VERSION:
                raise StoreError(f"The database {self.url!r} was written by a newer ArchLab "
                                 f"(schema {v}, this one knows {SCHEMA_VERSION}).")
            for k in range(v, SCHEMA_VERSION):
                MIGRATIONS[k](conn)
            if v != SCHEMA_VERSION:
                conn.execute(version_t.delete())
                conn.execute(version_t.insert().values(version=SCHEMA_VERSION))
        return SCHEMA_VERSION

    # ---- runs -----------------------------------------------------------------------------
    def save_run(self, rec: dict[str, Any], *, owner: str, status: str = "pinned",
                 weights: bytes | None = None, sweep_id: str | None = None) -> str:
        """Store a run record (``core.runs.compare.pin`` output); returns its id (the link)."""
        now = time.time()
        rid = rec.get("id") or secrets.token_hex(16)
        row = dict(
            id=rid, owner=owner, family=rec["page"], label=str(rec.get("label", ""))[:200],
            config=_json(rec["config"]), seed=int(rec["seed"]), step=int(rec.get("step", 0)),
            status=status, wall_seconds=float(rec.get("train_seconds", 0.0)),
            final=_json({k: _finite(v) for k, v in (rec.get("final") or {}).items()}),
            metrics=_json(rec.get("metrics", [])), history=_json(rec.get("history", {})),
            created_at=now, updated_at=now, weights=weights, sweep_id=sweep_id, error=None)
        if not rec.get("final") and rec.get("history"):
            from core.history import History
            h = History.from_state(rec["history"])
            row["final"] = _json({n: _finite(h.last(n)) for n in h.names()})
        self._run(lambda c: c.execute(runs_t.insert().values(**row)))
        return rid

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Change a run's status, step, history, final metrics, error... (a heartbeat too)."""
        vals: dict[str, Any] = {"updated_at": time.time()}
        for k, v in fields.items():
            vals[k] = _json(v) if k in ("config", "final", "metrics", "history") else v
        self._run(lambda c: c.execute(runs_t.update().where(runs_t.c.id == run_id)
                                      .values(**vals)))

    def get_run(self, run_id: str, *, weights: bool = False) -> dict[str, Any] | None:
        """A run by its link id, whoever made it (the link is the key), or None."""
        cols = [c for c in runs_t.c if weights or c.name != "weights"]
        q = sa.select(*cols).where(runs_t.c.id == str(run_id)[:32])
        row = self._run(lambda c: c.execute(q).mappings().first())
        return _record(row) if row else None

    def list_runs(self, owner: str, *, family: str | None = None, sweep_id: str | None = None,
                  sort_by: str | None = None, descending: bool = True,
                  limit: int = 200, history: bool = True) -> list[dict[str, Any]]:
        """The owner's runs (newest first, or by a final metric), without weights; with
        ``history=False`` without their histories too (what progress polls need: a 1,500-step
        history is most of a row's bytes and of its decoding time)."""
        skip = {"weights"} if history else {"weights", "history"}
        cols = [c for c in runs_t.c if c.name not in skip]
        q = sa.select(*cols)
        if sweep_id is None:
            q = q.where(runs_t.c.owner == owner)
        else:  # a sweep's runs belong to whoever holds the sweep's link
            q = q.where(runs_t.c.sweep_id == sweep_id)
        if family:
            q = q.where(runs_t.c.family == family)
        q = q.order_by(runs_t.c.created_at.desc()).limit(limit)
        rows = [_record(r) for r in self._run(lambda c: c.execute(q).mappings().all())]
        if sort_by:
            def key(r):
                v = r["final"].get(sort_by)
                return (v is None, -v if (descending and v is not None) else (v or 0))
            rows.sort(key=key)
        return rows

    def delete_run(self, run_id: str, owner: str) -> bool:
        """Delete one of the owner's runs; False when it is not theirs or not there."""
        res = self._run(lambda c: c.execute(runs_t.delete().where(
            (runs_t.c.id == run_id) & (runs_t.c.owner == owner))))
        return bool(res.rowcount)

    def fail_stale(self, older_than_s: float = STALE_AFTER_S) -> int:
        """Runs still "running" or "queued" with no heartbeat for ``older_than_s``: failed.
        Returns how many (a killed worker never leaves a run running forever)."""
        cutoff = time.time() - older_than_s
        res = self._run(lambda c: c.execute(runs_t.update().where(
            runs_t.c.status.in_(("running",)) & (runs_t.c.updated_at < cutoff))
            .values(status="failed", error="its worker stopped reporting (killed?)",
                    updated_at=time.time())))
        return int(res.rowcount)

    # ---- sweeps ---------------------------------------------------------------------------
    def create_sweep(self, *, owner: str, family: str, spec: dict[str, Any]) -> str:
        sid = secrets.token_hex(16)
        now = time.time()
        self._run(lambda c: c.execute(sweeps_t.insert().values(
            id=sid, owner=owner, family=family, spec=_json(spec), status="running",
            created_at=now, updated_at=now)))
        return sid

    def get_sweep(self, sweep_id: str) -> dict[str, Any] | None:
        row = self._run(lambda c: c.execute(sa.select(sweeps_t).where(
            sweeps_t.c.id == str(sweep_id)[:32])).mappings().first())
        if not row:
            return None
        out = dict(row)
        out["spec"] = json.loads(out["spec"])
        return out

    def list_sweeps(self, owner: str, family: str | None = None) -> list[dict[str, Any]]:
        q = sa.select(sweeps_t).where(sweeps_t.c.owner == owner)
        if family:
            q = q.where(sweeps_t.c.family == family)
        rows = self._run(lambda c: c.execute(q.order_by(sweeps_t.c.created_at.desc()))
                         .mappings().all())
        return [dict(r) | {"spec": json.loads(r["spec"])} for r in rows]

    def update_sweep(self, sweep_id: str, status: str) -> None:
        self._run(lambda c: c.execute(sweeps_t.update().where(sweeps_t.c.id == sweep_id)
                                      .values(status=status, updated_at=time.time())))

    # ---- plumbing -------------------------------------------------------------------------
    def _run(self, fn: Callable[[sa.Connection], Any]) -> Any:
        try:
            with self.engine.begin() as conn:
                return fn(conn)
        except (OperationalError, DatabaseError) as e:
            raise StoreError(_plain(e, self.url)) from None


def _record(row: Any) -> dict[str, Any]:
    r = dict(row)
    for k in ("config", "final", "metrics", "history"):
        if k in r:
            r[k] = json.loads(r[k]) if r[k] else ({} if k != "metrics" else [])
    r["page"] = r["family"]
    r["train_seconds"] = r["wall_seconds"]
    return r


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")      # readers never wait for the writer
    cur.execute("PRAGMA synchronous=NORMAL")    # with WAL: safe from corruption, one fsync less
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _plain(e: Exception, url: str) -> str:
    text = str(getattr(e, "orig", e))
    safe = sa.engine.make_url(url).render_as_string(hide_password=True)
    if "locked" in text:
        return (f"The run store {safe} is locked by another program: try again in a moment, "
                "or close what holds it.")
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return (f"The run store {safe} is not a readable database (corrupt or some other "
                "file): move it away and ArchLab starts a new one.")
    if "unable to open" in text or "readonly" in text:
        return f"The run store {safe} cannot be opened for writing: check the folder's rights."
    return f"The run store {safe} cannot be used: {text.splitlines()[0][:200]}"


_default: RunStore | None = None


def open_store(url: str | None = None) -> RunStore:
    """The process's store (one engine per process); raises :class:`StoreError`."""
    global _default
    if url is not None:
        return RunStore(url)
    if _default is None:
        _default = RunStore()
    return _default


def ids(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in rows]
