"""``python -m bench FAMILY --case NAME``: one case measured, only its record kept, and a name
no case carries refused (exit code 2) rather than passed as an empty run."""
import json

from bench import common
from bench.__main__ import main


def test_one_case_runs_alone(tmp_path, monkeypatch):
    ran = []
    real = common.wanted
    monkeypatch.setattr("bench.autoencoder.wanted",
                        lambda *cases: ran.append(cases) or real(*cases))
    out = tmp_path / "ae.json"
    try:
        assert main(["autoencoder", "--quick", "--case", "ae8-bce", "--json", str(out)]) == 0
    finally:
        common.choose(())
    [rec] = json.loads(out.read_text())
    assert rec["case"] == "ae8-bce" and rec["steps"] > 0
    # every other block was asked and skipped (the browser cases start no server)
    assert ("ae8-bce",) in ran and ("pause-latency",) in ran


def test_an_unknown_case_is_an_error(capsys):
    try:
        assert main(["autoencoder", "--quick", "--case", "ae9-bce"]) == 2
    finally:
        common.choose(())
    assert "no case named ['ae9-bce']" in capsys.readouterr().err
