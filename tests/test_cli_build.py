"""`medcodes build`, `show` and `stats` end to end on the hand-written fixtures, and what a bad
release file does: one clear error naming the file, and the database being served left as it was."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from medcodes.cli import app

runner = CliRunner()


def _build(db, data_dir):
    return runner.invoke(
        app, ["build", "--db", str(db), "--data-dir", str(data_dir), "--no-packaged", "--json"]
    )


def test_build_show_stats_on_fixtures(data_dir, tmp_path):
    db = tmp_path / "m.sqlite"
    result = _build(db, data_dir)
    assert result.exit_code == 0, result.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", str(db), "--json"]).stdout)
    assert set(stats["systems"]) == {"cpt", "hcpcs", "icd10cm", "icd10pcs"}
    assert all(s["billable"] > 0 for s in stats["systems"].values())
    shown = runner.invoke(app, ["show", "--db", str(db), "--json", stats_code(db)])
    assert shown.exit_code == 0
    doc = json.loads(shown.stdout)
    assert doc["breadcrumb"], "a code below the top has a breadcrumb"


def stats_code(db) -> str:
    from medcodes.store import Store

    store = Store(db)
    return next(r.display for r in store.iter_codes("icd10cm", leaves_only=True) if r.depth >= 2)


def test_unknown_code_prints_not_found_with_nearest(data_dir, tmp_path):
    db = tmp_path / "m.sqlite"
    assert _build(db, data_dir).exit_code == 0
    code = stats_code(db)
    result = runner.invoke(app, ["show", "--db", str(db), code + "9"])
    assert result.exit_code == 1
    assert "not found" in result.stdout
    assert code in result.stdout  # the nearest existing code is offered


@pytest.mark.parametrize("cut", [0.5, 0.0])
def test_bad_release_file_leaves_database_untouched(data_dir, tmp_path, cut):
    db = tmp_path / "m.sqlite"
    assert _build(db, data_dir).exit_code == 0
    before = db.read_bytes()
    release = data_dir / "icd10pcs" / "icd10pcs_tables_2026.xml"
    text = release.read_bytes()
    release.write_bytes(text[: int(len(text) * cut)])  # truncated mid-element, or emptied
    result = _build(db, data_dir)
    assert result.exit_code == 1
    assert "icd10pcs_tables_2026.xml" in result.output
    assert "untouched" in result.output
    assert db.read_bytes() == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".m.sqlite") and p.suffix != ".lock"]
    assert leftovers == []
