"""Delta data files written in bounded buffers (newsetl.deltawrite) read back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable
from newsetl import deltawrite

SCHEMA = pa.schema([("text", pa.string()), ("n", pa.int64()), ("ds", pa.string()),
                    ("lang", pa.string())])


def _batches(n_batches: int, rows: int) -> list[pa.RecordBatch]:
    out = []
    for b in range(n_batches):
        ids = range(b * rows, (b + 1) * rows)
        out.append(pa.record_batch([
            pa.array([f"text {i} " * 20 for i in ids]), pa.array(list(ids), pa.int64()),
            pa.array(["2024-01-01"] * rows), pa.array([("en", "fr", "de")[i % 3] for i in ids]),
        ], schema=SCHEMA))
    return out


def test_rows_are_split_by_partition_rolled_into_files_and_committed(tmp_path: Path,
                                                                      monkeypatch) -> None:
    monkeypatch.setattr(deltawrite, "BUFFER_BYTES", 20_000)  # many row groups
    monkeypatch.setattr(deltawrite, "FILE_BYTES", 60_000)  # several files per partition
    uri = str(tmp_path / "t")
    DeltaTable.create(uri, schema=SCHEMA, partition_by=["ds", "lang"])
    writer = deltawrite.FileWriter(uri, SCHEMA, ["ds", "lang"])
    for batch in _batches(20, 300):
        writer.write(batch)
    actions = writer.close()
    per_lang: dict[str, int] = {}
    for action in actions:
        assert action.partition_values["ds"] == "2024-01-01"
        assert (tmp_path / "t" / action.path).stat().st_size == action.size
        lang = action.partition_values["lang"]
        per_lang[lang] = per_lang.get(lang, 0) + json.loads(action.stats)["numRecords"]
    assert per_lang == {"en": 2000, "fr": 2000, "de": 2000}
    assert len(actions) > 3  # files were rolled
    DeltaTable(uri).create_write_transaction(actions, mode="overwrite", schema=SCHEMA,
                                             partition_by=["ds", "lang"],
                                             partition_filters=[("ds", "=", "2024-01-01")])
    table = DeltaTable(uri).to_pyarrow_table()
    assert sorted(table.column("n").to_pylist()) == list(range(6000))
    assert {(r["n"] % 3, r["lang"]) for r in table.select(["n", "lang"]).to_pylist()} == {
        (0, "en"), (1, "fr"), (2, "de")}


def test_split_groups_rows_by_every_partition_column_in_order() -> None:
    """One partition passes whole; otherwise only the columns that vary select rows."""
    batch = pa.record_batch([
        pa.array(["a", "b", "c", "d", "e", "f"]), pa.array(range(6), pa.int64()),
        pa.array(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02", "2024-01-01",
                  "2024-01-01"]),
        pa.array(["en", "en", "fr", "en", "en", "fr"])], schema=SCHEMA)
    parts = {key: part.column("n").to_pylist() for key, part in
             deltawrite._split(batch, ["ds", "lang"])}
    assert parts == {("2024-01-01", "en"): [0, 4], ("2024-01-02", "en"): [1, 3],
                     ("2024-01-01", "fr"): [2, 5]}
    one_day = batch.filter(pa.array([True, False, True, False, True, True]))
    assert {k: p.column("n").to_pylist() for k, p in deltawrite._split(one_day, ["ds", "lang"])
            } == {("2024-01-01", "en"): [0, 4], ("2024-01-01", "fr"): [2, 5]}
    english = one_day.filter(pa.array([True, False, True, False]))
    [(key, whole)] = deltawrite._split(english, ["ds", "lang"])
    assert key == ("2024-01-01", "en") and whole.num_rows == 2
