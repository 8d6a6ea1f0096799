"""Print what is published under an out root: per-day counts, languages, rejects, stats.

    python scripts/demo_summary.py --out-root data/out
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from newsetl.publish import published_days, read_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-root", required=True)
    args = parser.parse_args(argv)
    out = Path(args.out_root)
    days = published_days(out)
    if not days:
        print(f"nothing published under {out}", file=sys.stderr)
        return 1
    header = ("day", "files", "items", "articles", "sections", "rejects", "dups", "stats",
              "run", "version")
    lines = []
    langs: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for ds in days:
        m = read_manifest(out, ds)
        c = m["counts"]
        langs.update(c["articles_by_lang"])
        reasons.update(c["rejects_by_reason"])
        stats = (out / "daily_stats" / f"ds={ds}" / "part-0000.parquet").exists()
        run = m.get("run", {})
        lines.append((ds, c["input_files"], c["input_items"], c["articles"], c["sections"],
                      c["rejects"], c["duplicates"], "yes" if stats else "no",
                      run.get("runner", "?"), m["version"]))
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=False)]
    print(f"\nPublished dataset {out}")
    for row in (header, *lines):
        print("  " + "  ".join(str(v).rjust(w) if isinstance(v, int) else str(v).ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    print("  articles by language: " + ", ".join(
        f"{k}={v}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))))
    print("  rejects by reason:    " + (", ".join(
        f"{k}={v}" for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
        or "-"))
    print(f"  read it: pd.read_parquet('{out}/articles') or DuckDB "
          f"read_parquet('{out}/articles/ds=*/lang=*/*.parquet', hive_partitioning=true)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
