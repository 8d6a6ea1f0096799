"""How long Airflow takes to parse each DAG file of the project (in a fresh process).

The dag-processor re-parses every file every few seconds, so a DAG file should parse in
well under a second: no heavy imports at module level (tests/dags enforces that part;
the time itself is measured here, not asserted in tests, where a loaded CI machine
would make it flaky).

    python bench/dag_parse.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="newsetl-dag-parse-"))
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    })
    sys.path.insert(0, str(ROOT / "include"))
    from airflow.dag_processing.dagbag import DagBag  # after the environment is set

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    print("| DAG file | DAGs | parse seconds |\n|---|---:|---:|")
    for stat in sorted(bag.dagbag_stats, key=lambda s: s.file):
        print(f"| {Path(stat.file).name} | {stat.dag_num} | {stat.duration.total_seconds():.3f} |")
    if bag.import_errors:
        print(f"import errors: {bag.import_errors}")


if __name__ == "__main__":
    main()
