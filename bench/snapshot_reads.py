"""Readers during republishing: N republishes of one day while a reader thread keeps
pinning the day's snapshot (:func:`newsetl.readers.snapshot`) and reading every table.

A read fails when it raises or when its row counts differ from the counts of the
manifest row it pinned. Runs on a local out root and on S3 (a moto server in its own
process), and prints the failures out of the reads made.

    python bench/snapshot_reads.py --republishes 50
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))
SAMPLE = ROOT / "include" / "sample_data" / "raw"
DAY = "2024-03-01"
TABLES = ("articles", "sections", "rejects")


def reader(out_root: str, stop: threading.Event, tally: dict) -> None:
    from newsetl.readers import read_manifest, read_table, snapshot

    while not stop.is_set():
        tally["reads"] += 1
        try:
            snap = snapshot(out_root, [DAY])
            if DAY not in snap.versions:
                continue
            version = snap.versions[DAY]
            counts = {t: read_table(out_root, t, [DAY], snap).num_rows for t in TABLES}
            manifest = read_manifest(out_root, DAY, as_of=None)
            pinned = {t: manifest["tables"][t]["version"] for t in TABLES}
            if pinned == version and counts != {t: manifest["counts"][t] for t in TABLES}:
                tally["failures"] += 1
                tally["last"] = f"counts {counts} against the manifest's {manifest['counts']}"
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            tally["failures"] += 1
            tally["last"] = repr(exc)


def run(raw_root: str, out_root: str, republishes: int) -> dict:
    from newsetl.pipeline import run_day

    run_day(raw_root, out_root, DAY, detector="fast")
    stop, tally = threading.Event(), {"reads": 0, "failures": 0, "last": ""}
    thread = threading.Thread(target=reader, args=(out_root, stop, tally), daemon=True)
    thread.start()
    for _ in range(republishes):
        run_day(raw_root, out_root, DAY, detector="fast")
    stop.set()
    thread.join(60)
    return tally


def moto_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the moto server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--republishes", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsetl-snap-"))
    try:
        local = run(str(SAMPLE), str(work / "out"), args.republishes)
        print(f"local: {local['failures']} failed reads of {local['reads']} during "
              f"{args.republishes} republishes {local['last']}")
        proc, url = moto_server()
        try:
            os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY":
                               "testing", "AWS_DEFAULT_REGION": "us-east-1",
                               "AWS_ENDPOINT_URL": url})
            import s3fs

            fs = s3fs.S3FileSystem()
            fs.mkdir("lake")
            s3 = run(str(SAMPLE), "s3://lake/out", args.republishes)
            print(f"s3:    {s3['failures']} failed reads of {s3['reads']} during "
                  f"{args.republishes} republishes {s3['last']}")
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
