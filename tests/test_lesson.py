"""Lesson tokens: signed round trip, every kind of tampering refused, the secret file."""
import base64
import json
import os
import stat
import threading

import pytest
from toy import ToyConfig

from core.classroom import lesson as L

KEY = b"k" * 32


def _token(**kw):
    args = dict(page="toy", values={"hidden": 12, "lr": 0.01, "act": "relu"}, seed=7,
                locked=["lr", "seed"], task="Raise the learning rate. What happens?")
    args.update(kw)
    return L.make(**args, key=KEY)


def _payload(token):
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _b64(obj):
    raw = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_round_trip_keeps_everything():
    t = _token(runs=["a" * 32, "b" * 32])
    assert all(c.isalnum() or c in "-_." for c in t) and t.count(".") == 1   # URL-safe
    lesson = L.read(t, key=KEY)
    assert lesson == L.Lesson(page="toy", values={"hidden": 12, "lr": 0.01, "act": "relu"},
                              seed=7, locked=("lr", "seed"),
                              task="Raise the learning rate. What happens?",
                              runs=("a" * 32, "b" * 32), version=L.VERSION)


def test_canonical_json_makes_the_same_token_for_the_same_lesson():
    a = L.make("toy", {"lr": 0.01, "hidden": 12}, 1, ["lr"], "t", key=KEY)
    b = L.make("toy", {"hidden": 12, "lr": 0.01}, 1, ["lr"], "t", key=KEY)
    assert a == b
    assert _payload(a)["v"] == L.VERSION


def test_changed_locked_value_is_refused():
    t = _token()
    data = _payload(t)
    data["values"]["lr"] = 9.0
    forged = _b64(data) + "." + t.split(".")[1]
    with pytest.raises(L.LessonError) as e:
        L.read(forged, key=KEY)
    assert str(e.value) == L.DAMAGED


def test_dropped_lock_is_refused():
    t = _token()
    data = _payload(t)
    data["locked"] = []
    with pytest.raises(L.LessonError):
        L.read(_b64(data) + "." + t.split(".")[1], key=KEY)


@pytest.mark.parametrize("cut", ["signature", "flip", "truncate", "no-dot", "empty", "junk"])
def test_damaged_tokens_are_refused(cut):
    t = _token()
    body, sig = t.split(".")
    bad = {"signature": body + "." + sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB"),
           "flip": body[:10] + ("A" if body[10] != "A" else "B") + body[11:] + "." + sig,
           "truncate": t[:-1], "no-dot": body + sig, "empty": "",
           "junk": "!!!." + sig}[cut]
    with pytest.raises(L.LessonError):
        L.read(bad, key=KEY)


def test_another_servers_secret_is_refused():
    t = _token()
    with pytest.raises(L.LessonError):
        L.read(t, key=b"another secret")


def test_over_long_token_is_refused_before_decoding(monkeypatch):
    calls = []
    monkeypatch.setattr(L, "_unb64", lambda s: calls.append(s) or b"")
    with pytest.raises(L.LessonError):
        L.read("A" * (L.MAX_TOKEN + 1) + ".x", key=KEY)
    assert calls == []


def test_maker_refuses_what_a_link_cannot_carry():
    with pytest.raises(ValueError, match="at most 500"):
        _token(task="x" * (L.MAX_TASK + 1))
    with pytest.raises(ValueError, match="Only settings of the lesson"):
        _token(locked=["not_a_field"])
    with pytest.raises(ValueError, match="finite"):
        _token(values={"lr": float("nan")})
    with pytest.raises(ValueError, match="at most 12 runs"):
        _token(runs=[f"{i:032d}" for i in range(13)])
    with pytest.raises(ValueError, match="too long for a link"):
        _token(values={f"f{i}": "v" * 150 for i in range(30)}, locked=[])
    assert len(_token(task="β" * L.MAX_TASK)) <= L.MAX_TOKEN


def test_newer_version_gets_its_own_message():
    payload = json.dumps({"v": L.VERSION + 1, "page": "toy"}, separators=(",", ":")).encode()
    t = L._b64(payload) + "." + L._b64(L._sign(payload, KEY))
    with pytest.raises(L.LessonError, match="newer version"):
        L.read(t, key=KEY)


def test_resolve_repairs_an_old_lessons_value_with_a_note():
    """Signed by an older version: a value now out of range is clamped, a field that no
    longer exists dropped, each with a note; the locks that exist stay."""
    lesson = L.Lesson(page="toy", values={"hidden": 999, "gone": 3, "lr": 0.01}, seed=-4,
                      locked=("hidden", "gone", "seed"))
    r = L.resolve(lesson, ToyConfig)
    assert r.config.hidden == 64 and r.config.lr == 0.01 and r.seed == 0
    assert r.locked == {"hidden", "seed"}
    assert any("Unknown setting 'gone'" in n for n in r.notes)
    assert any("Hidden 999 is out of range" in n for n in r.notes)
    assert any("seed" in n.lower() and "-4" in n for n in r.notes)


def test_secret_comes_from_the_environment_first(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHLAB_SECRET", "class-secret")
    assert L.secret(tmp_path) == b"class-secret"
    assert not (tmp_path / "secret").exists()


def test_secret_file_is_created_once_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("ARCHLAB_SECRET", raising=False)
    monkeypatch.setenv("ARCHLAB_DATA", str(tmp_path / "data"))
    first = L.secret()
    path = tmp_path / "data" / "secret"
    assert path.exists() and len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert L.secret() == first
    token = L.make("toy", {}, 0, [], "")           # signed with the file's secret
    assert L.read(token).page == "toy"
    assert [p.name for p in path.parent.iterdir()] == ["secret"]   # no temporary left


def test_losing_the_creation_race_reads_the_winners_secret(monkeypatch, tmp_path):
    """The other creator links its file between our check and our link: ours is dropped."""
    monkeypatch.delenv("ARCHLAB_SECRET", raising=False)
    real_link = os.link

    def racing_link(src, dst):
        with open(dst, "wb") as f:
            f.write(b"the-winners-secret")
        return real_link(src, dst)

    monkeypatch.setattr(L.os, "link", racing_link)
    assert L.secret(tmp_path) == b"the-winners-secret"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]


def test_concurrent_creators_agree(monkeypatch, tmp_path):
    monkeypatch.delenv("ARCHLAB_SECRET", raising=False)
    n = 8
    barrier, got = threading.Barrier(n), []

    def create():
        barrier.wait()
        got.append(L.secret(tmp_path))

    threads = [threading.Thread(target=create) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == n and len(set(got)) == 1
    assert (tmp_path / "secret").read_bytes() == got[0]


def test_a_secret_that_cannot_be_made_is_a_plain_error(monkeypatch, tmp_path):
    monkeypatch.delenv("ARCHLAB_SECRET", raising=False)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(L.SecretError, match="Set ARCHLAB_SECRET or make that folder writable"):
        L.secret(blocked)
    (tmp_path / "secret").write_text("  \n")
    with pytest.raises(L.SecretError, match="is empty"):
        L.secret(tmp_path)
