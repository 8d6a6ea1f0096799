"""Print what is published under an out root: per-day counts, languages, rejects, stats.

    python scripts/demo_summary.py --out-root data/out
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from newsetl.readers import manifest_rows, read_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-root", required=True)
    args = parser.parse_args(argv)
    out = Path(args.out_root)
    rows = manifest_rows(out)
    if not rows:
        print(f"nothing published under {out}", file=sys.stderr)
        return 1
    header = ("day", "files", "items", "articles", "sections", "rejects", "dups", "stats",
              "run", "articles@", "sections@", "rejects@")
    stats_days = set(read_table(out, "daily_stats", columns=["ds"]).column("ds").to_pylist())
    lines = []
    langs: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for row in rows:
        ds, m = row["ds"], json.loads(row["manifest"])
        c = m["counts"]
        langs.update(c["articles_by_lang"])
        reasons.update(c["rejects_by_reason"])
        run = m.get("run", {})
        lines.append((ds, c["input_files"], c["input_items"], c["articles"], c["sections"],
                      c["rejects"], c["duplicates"], "yes" if ds in stats_days else "no",
                      run.get("runner", "?"), *(row[f"{t}_version"]
                                               for t in ("articles", "sections", "rejects"))))
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=False)]
    print(f"\nPublished Delta tables under {out} (table@ = Delta version pinned by the "
          "day's manifest row)")
    for row in (header, *lines):
        print("  " + "  ".join(str(v).rjust(w) if isinstance(v, int) else str(v).ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    print("  articles by language: " + ", ".join(
        f"{k}={v}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))))
    print("  rejects by reason:    " + (", ".join(
        f"{k}={v}" for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
        or "-"))
    print(f"  read it: deltalake.DeltaTable('{out}/articles').to_pandas(), "
          f"polars.scan_delta('{out}/articles'), DuckDB delta_scan('{out}/articles'), "
          "or newsetl.readers.read_table(out_root, 'articles') for the manifest's snapshot")
    return 0


if __name__ == "__main__":
    code = main()
    # deltalake 1.6.6 + pyarrow sometimes abort at interpreter shutdown ("terminate
    # called without an active exception": a reader thread torn down during exit, also
    # with a bare DeltaTable(...).to_pyarrow_table()); everything is printed by now, so
    # leave without the shutdown that crashes
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
