"""Near duplicates across days: signatures, pairs, clusters, and a table that does not
depend on the order days were published in."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from newsetl import minhash, neardup, nearpairs, schemas
from newsetl.pipeline import run_day
from newsetl.readers import read_table

VOCABULARY = (
    "the government said on tuesday that its plan for new schools and hospitals would "
    "cost more than expected after talks with unions over pay and working hours in the "
    "north of the country where flooding damaged roads bridges and homes last winter "
    "officials warned that prices for energy food and housing could rise again next year "
    "while the central bank kept interest rates unchanged amid slow growth in exports "
    "farmers protested outside parliament demanding support for crops hit by drought "
    "police arrested two men after a fire destroyed a warehouse near the port city "
    "scientists published a study showing that ocean temperatures reached record levels "
    "the team won the final match in front of a crowd of fans who travelled from abroad "
    "voters will choose a new mayor in elections scheduled for early spring after months "
    "of debate about transport taxes and the future of the old railway station district"
)
WORDS = VOCABULARY.split()
DAYS = ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04", "2024-05-05"]
BOILERPLATE = ("Subscribe to our newsletter to receive the most important stories of the "
               "day in your inbox every morning and follow us on social media for updates")


def _story(seed: int, n_words: int = 160) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(WORDS) for _ in range(n_words)]


def _text(title: str, words: list[str]) -> str:
    paragraphs = [" ".join(words[i:i + 40]).capitalize() + "." for i in range(0, len(words), 40)]
    return f"{title}\n\n" + "\n\n".join(paragraphs) + "\n"


def _substituted(words: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = list(words)
    for _ in range(n):
        out[rng.randrange(len(out))] = rng.choice(WORDS)
    return out


# --- signatures and pairs on bodies ------------------------------------------------------

def _window(bodies: list[tuple[str, str, str]]) -> neardup.Window:
    """(ds, article_id, body) -> a Window, through the signatures' table schema."""
    rows = [{"article_id": aid, "body": body} for _, aid, body in bodies]
    minhash.sign_rows(rows)
    table = pa.Table.from_pylist(
        [{"ds": ds, "article_id": aid, "content_sha1": str(hash(body)),
          "n_shingles": row["n_shingles"], "minhash": row["minhash"]}
         for (ds, aid, body), row in zip(bodies, rows, strict=True)],
        schema=schemas.delta_schema("signatures"))
    return neardup.window_from_table(table)


def test_signatures_are_deterministic_and_estimate_jaccard() -> None:
    a = " ".join(_story(1))
    b = " ".join(_substituted(_story(1), 2, seed=9))
    sig_a, sig_b = minhash.signatures([a, b])
    assert minhash.signatures([a])[0].tolist() == sig_a.tolist()  # not batch-dependent
    sa, sb = set(minhash.shingles(a)), set(minhash.shingles(b))
    true = len(sa & sb) / len(sa | sb)
    assert abs(minhash.estimated_jaccard(sig_a, sig_b) - true) < 0.15
    values, offsets = minhash.shingle_hashes([a, b])
    assert offsets.tolist() == [0, len(sa), len(sa) + len(sb)]  # one hash per shingle
    assert len(set(values[:len(sa)].tolist()) & set(values[len(sa):].tolist())) == len(sa & sb)


def test_signatures_are_the_same_in_another_process() -> None:
    """No per-process hash seed: a fresh interpreter with another PYTHONHASHSEED gives
    the same values."""
    import os
    import subprocess
    import sys

    code = ("from newsetl import minhash; "
            "print(minhash.signatures(['One two three four five six seven.'])[0].tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONHASHSEED": "123"}).stdout
    here = minhash.signatures(["One two three four five six seven."])[0].tolist()
    assert out.strip() == str(here)


def test_copies_cluster_and_boilerplate_sharers_do_not() -> None:
    story = _story(1)
    other, third = _story(2, 100), _story(3, 100)
    bodies = [
        ("2024-05-02", "b", " ".join(_substituted(story, 2, seed=5))),  # near copy
        ("2024-05-01", "a", " ".join(story)),  # the original: canonical
        ("2024-05-01", "c", " ".join(other) + " " + BOILERPLATE),
        ("2024-05-03", "d", " ".join(third) + " " + BOILERPLATE),  # shares boilerplate only
        ("2024-05-03", "e", "Photo: AFP. Share this article."),  # too short to match
        ("2024-05-03", "f", "Photo: Reuters. Share this article."),
    ]
    win = _window(bodies)
    pairs = neardup.verified_pairs(win, window=30, threshold=0.8)
    named = {(win.article_id[i], win.article_id[j]) for i, j in pairs.tolist()}
    assert named == {("a", "b")}
    rows = neardup.day_rows(win, pairs, "2024-05-02", window=30)
    assert [(r["article_id"], r["canonical_ds"], r["canonical_article_id"], r["kind"])
            for r in rows] == [("b", "2024-05-01", "a", "near")]
    assert 0.8 <= rows[0]["similarity"] < 1


def test_exact_repeats_on_other_days_and_the_window_edge() -> None:
    body = " ".join(_story(4))
    win = _window([("2024-05-01", "x", body), ("2024-05-04", "x", body),
                   ("2024-05-09", "x", body)])
    pairs = neardup.verified_pairs(win, window=3, threshold=0.8)
    rows = {ds: neardup.day_rows(win, pairs, ds, window=3) for ds in win.ds}
    assert [(r["canonical_ds"], r["kind"], r["similarity"]) for r in rows["2024-05-04"]] == [
        ("2024-05-01", "exact", 1.0)]
    assert rows["2024-05-09"] == []  # five days from its nearest copy: outside the window
    assert rows["2024-05-01"][0]["cluster_id"] == "2024-05-01/x"


# --- the published table does not depend on publishing order -----------------------------

def _raw_days(raw: Path) -> None:
    """Five small days: a story syndicated with edits over days 1-3, a re-run of an
    article on day 4, one copied five days later (outside a window of 2), and
    unrelated articles sharing a long newsletter paragraph every day."""
    story, rerun, late = _story(10), _story(11), _story(12)
    texts = {
        DAYS[0]: {"story": _text("Budget talks", story), "late": _text("Port fire", late)},
        DAYS[1]: {"story": _text("Budget talks go on", _substituted(story, 2, 1)),
                  "rerun": _text("Station plan", rerun)},
        DAYS[2]: {"story": _text("Talks on the budget", story[:150])},
        DAYS[3]: {"rerun": _text("Station plan", rerun)},
        DAYS[4]: {"late": _text("Port fire again", late)},
    }
    for k, ds in enumerate(DAYS):
        folder = raw / ds
        folder.mkdir(parents=True)
        for name, text in texts[ds].items():
            (folder / f"{name}.txt").write_text(text)
        unrelated = " ".join(_story(100 + k, 120))
        (folder / "unrelated.txt").write_text(
            _text(f"Local news {k}", unrelated.split()) + "\n" + BOILERPLATE + ".\n")


def _publish(raw: Path, out: Path, order: list[str]) -> list[dict]:
    for ds in order:
        run_day(raw, out, ds, detector="langdetect")
        neardup.dedup_days(out, ds, ds, window=2)
    rows = read_table(out, "near_duplicates").to_pylist()
    return sorted(rows, key=lambda r: (r["ds"], r["article_id"]))


def test_near_duplicates_are_the_same_in_any_publishing_order(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _raw_days(raw)
    forwards = _publish(raw, tmp_path / "fwd", DAYS)
    backwards = _publish(raw, tmp_path / "bwd", DAYS[::-1])
    shuffled = _publish(raw, tmp_path / "shuf", [DAYS[2], DAYS[0], DAYS[4], DAYS[1], DAYS[3]])
    assert forwards == backwards == shuffled
    summary = sorted((r["ds"], r["canonical_ds"], r["kind"]) for r in forwards)
    assert summary == [
        ("2024-05-01", "2024-05-01", "exact"),  # the story's canonical article
        ("2024-05-02", "2024-05-01", "near"),
        ("2024-05-02", "2024-05-02", "exact"),  # the re-run's canonical article
        ("2024-05-03", "2024-05-01", "near"),
        ("2024-05-04", "2024-05-02", "exact"),
    ]
    assert len({r["cluster_id"] for r in forwards}) == 2


def test_dedup_is_idempotent_and_rejects_bad_arguments(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _raw_days(raw)
    first = _publish(raw, tmp_path / "out", DAYS[:2])
    neardup.dedup_days(tmp_path / "out", DAYS[0], DAYS[1], window=2)
    again = sorted(read_table(tmp_path / "out", "near_duplicates").to_pylist(),
                   key=lambda r: (r["ds"], r["article_id"]))
    assert again == first
    with pytest.raises(ValueError):
        neardup.dedup_days(tmp_path / "out", DAYS[0], DAYS[0], threshold=0)


def test_days_published_without_signatures_are_signed_from_their_articles(
        tmp_path: Path) -> None:
    import shutil

    raw, out = tmp_path / "raw", tmp_path / "out"
    _raw_days(raw)
    for ds in DAYS[:2]:
        run_day(raw, out, ds, detector="langdetect")
    expected = read_table(out, "signatures").sort_by("article_id")
    shutil.rmtree(out / "signatures")  # as if published before the table existed
    neardup.dedup_days(out, DAYS[0], DAYS[1], window=2)
    signed = read_table(out, "signatures").sort_by("article_id")
    assert signed.equals(expected.select(signed.column_names))
    assert read_table(out, "near_duplicates").num_rows == 2  # the story, a near copy


def test_stale_days_are_those_published_after_their_last_dedup(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    _raw_days(raw)
    for ds in DAYS[:3]:
        run_day(raw, out, ds, detector="langdetect")
    assert neardup.stale_days(out) == DAYS[:3]
    neardup.dedup_days(out, DAYS[0], DAYS[1], window=2)
    assert neardup.stale_days(out) == [DAYS[2]]  # rewritten around, but not made for it
    run_day(raw, out, DAYS[0], detector="langdetect")  # republished
    assert neardup.stale_days(out) == [DAYS[0], DAYS[2]]
    neardup.dedup_days(out, DAYS[0], DAYS[2], window=2)
    assert neardup.stale_days(out) == []


def _signature_table(bodies: list[tuple[str, str, str]]) -> pa.Table:
    rows = [{"article_id": aid, "body": body} for _, aid, body in bodies]
    minhash.sign_rows(rows)
    return pa.Table.from_pylist(
        [{"ds": ds, "article_id": aid, "content_sha1": str(hash(body)),
          "n_shingles": row["n_shingles"], "minhash": row["minhash"]}
         for (ds, aid, body), row in zip(bodies, rows, strict=True)],
        schema=schemas.delta_schema("signatures"))


def _syndicated(n_stories: int, copies: int, seed: int) -> list[tuple[str, str, str]]:
    """Stories copied with a few substitutions over the days of May, plus exact
    re-runs and unrelated stories."""
    rng = random.Random(seed)
    out = []
    for k in range(n_stories):
        story = _story(1000 + k)
        for c in range(copies):
            body = story if c % 3 == 0 else _substituted(story, 2, seed=k * 100 + c)
            out.append((f"2024-05-{rng.randint(1, 28):02d}", f"s{k}c{c}", " ".join(body)))
        out.append((f"2024-05-{rng.randint(1, 28):02d}", f"u{k}", " ".join(_story(5000 + k))))
    return out


def test_a_blocks_pairs_from_a_streamed_window_are_the_in_memory_pairs() -> None:
    """Pairs are a function of their two articles: the pairs of a block of days found
    against the window streamed in small batches (keeping only the rows that share a
    key) are exactly the in-memory pairs with an end in the block."""
    table = _signature_table(_syndicated(12, 9, seed=1))
    win = neardup.window_from_table(table)
    everything = {(win.ds[i], win.article_id[i], win.ds[j], win.article_id[j])
                  for i, j in neardup.verified_pairs(win, 7, 0.8).tolist()}
    assert len(everything) > 50
    block_days = {"2024-05-10", "2024-05-11", "2024-05-12"}
    block = nearpairs.side_from_arrow(table.filter(pc.field("ds").isin(sorted(block_days))))
    around = table.filter((pc.field("ds") >= "2024-05-03") & (pc.field("ds") <= "2024-05-19"))
    rows, read = nearpairs.block_pairs(block, around.to_batches(max_chunksize=5), 7, 0.8)
    assert read == around.num_rows
    found = {(r["ds"], r["article_id"], r["other_ds"], r["other_article_id"])
             for r in rows.to_pylist()}
    expected = {p for p in everything if p[0] in block_days or p[2] in block_days}
    assert {p for p in found if (p[0], p[1]) < (p[2], p[3])} == expected
    assert {(c, d, a, b) for a, b, c, d in found} == found  # both directions


def test_a_big_bucket_is_one_cluster_and_every_copy_is_paired() -> None:
    """No bucket is truncated: every two of 80 copies of one story on three days that
    share a band and are similar enough are paired (not only neighbours in a bucket)."""
    story = _story(7)
    bodies = [(f"2024-05-0{1 + k % 3}", f"c{k:02d}", " ".join(_substituted(story, 1, k)))
              for k in range(80)]
    win = _window(bodies)
    pairs = neardup.verified_pairs(win, window=30, threshold=0.8)
    keys = nearpairs.band_keys(win.sig)
    brute = {(i, j) for i in range(80) for j in range(i + 1, 80)
             if (keys[:, i] == keys[:, j]).any() and (win.sig[i] == win.sig[j]).mean() >= 0.8}
    assert set(map(tuple, pairs.tolist())) == brute and len(brute) > 3000
    rows = neardup.day_rows(win, pairs, "2024-05-02", window=30)
    assert {r["canonical_article_id"] for r in rows} == {"c00"} and len(rows) == 27


def test_a_flood_of_candidates_is_verified_in_chunks_with_the_same_pairs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays bounded on a flood of near-identical stories: the candidates are
    expanded a chunk of rows at a time, and the pairs are the same as all at once."""
    story = _story(11)
    bodies = [(f"2024-05-0{1 + k % 3}", f"f{k:02d}", " ".join(_substituted(story, 1, k)))
              for k in range(60)]
    win = _window(bodies)
    whole = nearpairs.match(win, win, 30, 0.8)
    chunks = []
    real_chunks = nearpairs._chunks
    monkeypatch.setattr(nearpairs, "_chunks",
                        lambda per_row, limit: chunks.extend(real_chunks(per_row, 100))
                        or real_chunks(per_row, 100))
    chunked = nearpairs.match(win, win, 30, 0.8)
    assert len(chunks) > 10 and len(whole[0]) > 1000
    for a, b in zip(whole, chunked, strict=True):
        assert np.array_equal(a, b)


def test_republishing_a_changed_day_gives_the_table_of_a_fresh_archive(tmp_path: Path) -> None:
    """The stored pairs are updated incrementally: after a day is republished with
    other articles (a copy removed, a new one added), ``near_pairs`` and
    ``near_duplicates`` are those of an archive published from scratch. A day
    republished without a dedup (stale marker) is recomputed by the next dedup of any
    day within two windows."""
    raw = tmp_path / "raw"
    _raw_days(raw)
    out = tmp_path / "out"
    _publish(raw, out, DAYS)
    story = _story(10)
    (raw / DAYS[2] / "story.txt").unlink()  # the truncated copy goes,
    (raw / DAYS[2] / "late.txt").write_text(_text("Port fire", _story(12)))  # a re-run comes
    (raw / DAYS[3] / "story.txt").write_text(_text("Budget", _substituted(story, 3, 7)))
    run_day(raw, out, DAYS[3], detector="langdetect")  # republished, no dedup: stale
    run_day(raw, out, DAYS[2], detector="langdetect")
    summary = neardup.dedup_days(out, DAYS[2], DAYS[2], window=2)
    assert DAYS[3] in summary["days_recomputed"]
    fresh = tmp_path / "fresh"
    expected = _publish(raw, fresh, [DAYS[4], DAYS[0], DAYS[3], DAYS[1], DAYS[2]])
    got = sorted(read_table(out, "near_duplicates").to_pylist(),
                 key=lambda r: (r["ds"], r["article_id"]))
    assert got == expected
    assert {(r["ds"], r["canonical_ds"]) for r in got} >= {(DAYS[2], DAYS[0]),  # re-run
                                                           (DAYS[3], DAYS[1])}

    def pairs(root: Path) -> list[tuple]:
        rows = read_table(root, "near_pairs").to_pylist()
        return sorted((r["ds"], r["article_id"], r["other_ds"], r["other_article_id"],
                       r["similarity"]) for r in rows)

    assert pairs(out) == pairs(fresh)


def test_pairs_made_with_another_window_are_recomputed(tmp_path: Path) -> None:
    """A day's stored pairs record the window (and threshold, signature version) they
    were made with: a dedup with another window recomputes them instead of mixing."""
    raw, out, fresh = tmp_path / "raw", tmp_path / "out", tmp_path / "fresh"
    _raw_days(raw)
    _publish(raw, out, DAYS)
    summary = neardup.dedup_days(out, DAYS[2], DAYS[2], window=1)
    assert summary["days_recomputed"] == DAYS
    for ds in DAYS:
        run_day(raw, fresh, ds, detector="langdetect")
    neardup.dedup_days(fresh, DAYS[0], DAYS[-1], window=1)

    def rows(root: Path) -> list[tuple]:
        return sorted((r["ds"], r["article_id"], r["canonical_ds"])
                      for r in read_table(root, "near_duplicates").to_pylist())

    assert rows(out) == rows(fresh) and rows(out)


def test_a_copy_of_a_copy_gets_its_similarity_to_the_canonical_article(
        tmp_path: Path, monkeypatch) -> None:
    """C copies B copies A, C too far from A to be paired with it: C's similarity to
    its canonical A comes from the two signatures, and a later dedup around it reuses
    the stored value (a function of two unchanged signatures) without reading them."""
    from newsetl import nearstore

    story = _story(20, 400)
    b = _substituted(story, 6, seed=21)
    c = _substituted(b, 6, seed=22)
    raw, out = tmp_path / "raw", tmp_path / "out"
    for ds, words in zip(DAYS[:3], (story, b, c), strict=True):
        (raw / ds).mkdir(parents=True)
        (raw / ds / "story.txt").write_text(_text("Chain", words))
    for k, ds in enumerate(DAYS[3:]):
        (raw / ds).mkdir(parents=True)
        (raw / ds / "other.txt").write_text(_text("Other", _story(30 + k)))
    _publish(raw, out, DAYS)
    win = neardup.window_from_table(read_table(out, "signatures"))
    pairs = neardup.verified_pairs(win, window=2, threshold=0.8)
    expected = neardup.day_rows(win, pairs, DAYS[2], window=2)
    assert len(pairs) == 2 and expected[0]["similarity"] < 0.8  # C-A: not a pair
    stored = [r for r in read_table(out, "near_duplicates").to_pylist() if r["ds"] == DAYS[2]]
    assert [(r["canonical_ds"], r["similarity"]) for r in stored] == [
        (DAYS[0], pytest.approx(expected[0]["similarity"]))]

    def no_reading(*args: object) -> None:
        raise AssertionError("signatures read again")

    monkeypatch.setattr(nearstore, "fetch_signatures", no_reading)
    neardup.dedup_days(out, DAYS[4], DAYS[4], window=2)
    again = [r for r in read_table(out, "near_duplicates").to_pylist() if r["ds"] == DAYS[2]]
    assert again == stored


def test_days_signed_with_another_version_are_re_signed_once(tmp_path: Path) -> None:
    """After an upgrade that changes the signatures (a new ``SIGNATURE_VERSION``), days
    published before it are re-signed from their articles the first time a dedup reads
    them, their manifest then records the version (same publish id, same counts), and
    the next dedup signs nothing."""
    import json

    from newsetl import nearstore
    from newsetl.readers import read_manifest

    raw, out = tmp_path / "raw", tmp_path / "out"
    _raw_days(raw)
    for ds in DAYS[:2]:
        run_day(raw, out, ds, detector="langdetect")
    expected = read_table(out, "signatures").sort_by("article_id")
    before = read_manifest(out, DAYS[0])
    old = "rensa-rminhash-v2/w5-mix1/p128/s1515"
    # what v2 stored: other values (here zeroed) under the old version
    table = read_table(out, "signatures")
    zeroed = table.set_column(table.schema.get_field_index("minhash"), "minhash",
                              pa.array([bytes(512)] * table.num_rows, pa.binary()))
    from newsetl import layout
    from newsetl.publish import commit_day, manifest_row, new_publish_id
    for ds in DAYS[:2]:
        day = layout.day(ds)
        commit_day(out, "signatures", day,
                   lambda ds=ds: zeroed.filter(pc.field("ds") == ds), new_publish_id())
        manifest = read_manifest(out, ds)
        manifest["signature_version"] = old
        commit_day(out, "manifests", day, lambda m=manifest, d=day: manifest_row(m, d),
                   new_publish_id())
    assert {v for v, _ in nearstore.signed_with_current_version(out, DAYS[:2]).values()
            } == {False}

    neardup.dedup_days(out, DAYS[0], DAYS[1], window=2)
    signed = read_table(out, "signatures").sort_by("article_id")
    assert signed.equals(expected.select(signed.column_names))
    assert read_table(out, "near_duplicates").num_rows == 2  # the story, a near copy
    after = read_manifest(out, DAYS[0])
    assert after["signature_version"] == minhash.SIGNATURE_VERSION
    assert after["version"] == before["version"] and after["counts"] == before["counts"]
    assert json.dumps(after["inputs"]) == json.dumps(before["inputs"])

    from deltalake import DeltaTable
    commits = len(DeltaTable(str(out / "signatures")).history())
    neardup.dedup_days(out, DAYS[0], DAYS[1], window=2)
    assert len(DeltaTable(str(out / "signatures")).history()) == commits  # nothing re-signed


def _published_unsigned(raw: Path, out: Path) -> dict:
    """The first day published, its manifest rewritten as before manifests recorded a
    signature version (so the dedup signs it again); that manifest."""
    from newsetl import layout
    from newsetl.publish import commit_day, manifest_row, new_publish_id
    from newsetl.readers import read_manifest

    _raw_days(raw)
    run_day(raw, out, DAYS[0], detector="langdetect")
    manifest = read_manifest(out, DAYS[0])
    del manifest["signature_version"]
    day = layout.day(DAYS[0])
    commit_day(out, "manifests", day, lambda: manifest_row(manifest, day), new_publish_id())
    return manifest


def test_signatures_are_never_replaced_by_nothing(tmp_path: Path) -> None:
    """A day to re-sign whose articles cannot be read (table gone) keeps its
    signatures and its manifest; the dedup still runs."""
    import shutil

    from newsetl import nearstore
    from newsetl.readers import read_manifest

    raw, out = tmp_path / "raw", tmp_path / "out"
    _published_unsigned(raw, out)
    before = read_table(out, "signatures").sort_by("article_id")
    shutil.rmtree(out / "articles")
    assert nearstore.sign_published_day(out, DAYS[0]) is False
    neardup.dedup_days(out, DAYS[0], DAYS[0], window=2)
    assert read_table(out, "signatures").sort_by("article_id").equals(before)
    assert "signature_version" not in read_manifest(out, DAYS[0])


def test_a_publish_landing_while_a_day_is_signed_is_never_undone(tmp_path: Path,
                                                                   monkeypatch) -> None:
    """Re-signing rewrites the day's manifest row; a republish that lands after the
    row was planned fails that commit (a compare-and-swap on the manifests), and the
    new publish is signed instead of the old row being written back over it."""
    from newsetl import nearstore, readers
    from newsetl.readers import read_manifest

    raw, out = tmp_path / "raw", tmp_path / "out"
    manifest = _published_unsigned(raw, out)
    sorted(raw.glob(f"{DAYS[0]}/*"))[0].unlink()  # the republish has one article fewer
    real_rows, republished = readers.manifest_rows, []

    def rows_then_republish(*args, **kwargs):
        rows = real_rows(*args, **kwargs)
        if kwargs.get("as_of") is not None and not republished:
            # the sign's row is planned from this version: a publish of the day lands now
            republished.append(None)
            republished[0] = run_day(raw, out, DAYS[0], detector="langdetect")
        return rows

    monkeypatch.setattr(readers, "manifest_rows", rows_then_republish)
    assert nearstore.sign_published_day(out, DAYS[0]) is True
    current = read_manifest(out, DAYS[0])
    assert current["version"] == republished[0]["version"] != manifest["version"]
    assert current["counts"] == republished[0]["counts"]
    assert read_table(out, "articles", [DAYS[0]]).num_rows == \
        republished[0]["counts"]["articles"] == manifest["counts"]["articles"] - 1


def _sorted_rows(table: pa.Table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_a_dedup_reads_the_stored_pairs_once_and_the_cache_is_what_is_stored(
        tmp_path: Path, monkeypatch) -> None:
    """The near_pairs rows a dedup cuts its markers, kept rows and graph from (read
    once) are the stored rows, before and after its own write replaces its days'."""
    from newsetl import nearstore

    raw, out = tmp_path / "raw", tmp_path / "out"
    _raw_days(raw)
    _publish(raw, out, DAYS)
    cache = nearstore.PairsCache(out)
    for first, last in ((DAYS[1], DAYS[3]), (DAYS[0], DAYS[4]), (DAYS[2], DAYS[2])):
        for markers in (False, True):
            assert _sorted_rows(cache.between(first, last, markers)) == _sorted_rows(
                nearstore.read_pairs(out, first, last, markers))
    assert (nearstore.markers(out, DAYS[0], DAYS[4], cache)
            == nearstore.markers(out, DAYS[0], DAYS[4]) != {})

    reads = []
    real_read = nearstore.read_pairs
    monkeypatch.setattr(nearstore, "read_pairs",
                        lambda *a, **k: reads.append(a[1:3]) or real_read(*a, **k))
    before = _sorted_rows(read_table(out, "near_duplicates"))
    summary = neardup.dedup_days(out, DAYS[2], DAYS[2], window=2)
    assert len(reads) == 1 and summary["pairs"] > 0
    assert _sorted_rows(read_table(out, "near_duplicates")) == before

    cache = nearstore.PairsCache(out)
    stored = cache.between(DAYS[0], DAYS[4], with_markers=True)
    cache.replace(DAYS[1], DAYS[3], stored.filter(pc.field("ds") == DAYS[2]))
    assert {d for d in cache.between(DAYS[0], DAYS[4], True).column("ds").to_pylist()} == {
        d for d in stored.column("ds").to_pylist() if d not in (DAYS[1], DAYS[3])}


def test_local_tables_are_read_natively_with_the_rows_delta_rs_reads(tmp_path: Path) -> None:
    """Local tables' files are read through Arrow's own filesystem: same rows, same
    partition values as delta-rs's dataset."""
    import pyarrow.dataset as pds
    from newsetl import layout, nearstore

    raw, out = tmp_path / "raw", tmp_path / "out"
    _raw_days(raw)
    _publish(raw, out, DAYS[:3])
    table = nearstore._table(out, layout.SIGNATURES)
    pruning = [("ds", "in", DAYS[1:3])]
    native = nearstore._dataset(table, pruning)
    assert isinstance(native, pds.FileSystemDataset)
    assert "PyFileSystem" not in type(native.filesystem).__name__
    delta = table.to_pyarrow_dataset(file_pruning_predicate=pruning)
    columns = nearstore.SIGNATURE_COLUMNS
    assert _sorted_rows(native.to_table(columns=columns)) == _sorted_rows(
        delta.to_table(columns=columns))
    assert set(native.to_table(columns=["ds"]).column("ds").to_pylist()) == set(DAYS[1:3])
    # the partition pruning is exact: the reads filter no rows on ds
    streamed = pa.Table.from_batches(list(nearstore.signature_batches(out, [DAYS[1]])))
    assert set(streamed.column("ds").to_pylist()) == {DAYS[1]} and streamed.num_rows > 1
    pairs = nearstore.read_pairs(out, DAYS[1], DAYS[1], with_markers=True)
    assert set(pairs.column("ds").to_pylist()) == {DAYS[1]}


def test_the_prefiltered_band_lookup_finds_exactly_the_rows_sharing_a_band() -> None:
    """KeyIndex.hits (bitset of filter slots, then exact keys for the rows it lets
    through) is the brute-force test: an eligible row sharing any band key with an
    eligible block row, or a short row with a block's content_sha1."""
    rng = np.random.default_rng(3)
    n_block, n_batch = 3000, 20000
    sig = rng.integers(0, 2**32, (n_block + n_batch, minhash.NUM_PERM), dtype=np.uint32)
    batch_sig = sig[n_block:]
    sources = rng.integers(0, n_block, 600)
    for row, source in zip(range(0, 1200, 2), sources.tolist(), strict=True):
        band = int(rng.integers(0, minhash.BANDS))  # one shared band each
        cols = slice(band * minhash.ROWS, (band + 1) * minhash.ROWS)
        batch_sig[row, cols] = sig[source, cols]
    sha1 = np.array([f"h{k}" for k in range(n_block + n_batch)], dtype=object)
    sha1[n_block + 1:n_block + 41:2] = sha1[:20]  # short exact repeats
    n_shingles = np.full(n_block + n_batch, 300)
    n_shingles[n_block + 1:n_block + 81:2] = 5  # 20 repeats + 20 without a match
    n_shingles[:50] = 5  # short block rows: their bands must not match
    batch_sig[1300:1310] = sig[:10]  # same bands as short block rows
    block = nearpairs.Side(ds=np.full(n_block, "2024-05-01", dtype=object),
                           day=np.zeros(n_block, np.int64), article_id=sha1[:n_block],
                           content_sha1=sha1[:n_block], n_shingles=n_shingles[:n_block],
                           sig=sig[:n_block])
    keys = nearpairs.band_keys(block.sig)
    index = nearpairs.KeyIndex(block, keys)
    batch = pa.record_batch({"content_sha1": pa.array(sha1[n_block:], pa.string())})
    eligible = n_shingles[n_block:] >= nearpairs.MIN_SHINGLES
    found = index.hits(batch, batch_sig, eligible)

    ok = block.n_shingles >= nearpairs.MIN_SHINGLES
    batch_keys = nearpairs.band_keys(batch_sig)
    shared = np.array([np.isin(batch_keys[b], keys[b, ok]) for b in range(minhash.BANDS)])
    expected = (shared.any(axis=0) & eligible) | (
        ~eligible & np.isin(sha1[n_block:], block.content_sha1))
    assert np.array_equal(found, expected)
    assert 600 <= expected.sum() < 700 and not found[1300:1310].any()


def test_days_members_from_one_labelling_are_each_days_own_components() -> None:
    """Labelling the whole graph once (splitting only components longer than a window)
    gives every day the members and canonicals of its own window's components: random
    families, chains re-run across many windows and isolated nodes."""
    from newsetl import nearclusters

    rng = np.random.default_rng(5)
    day = np.sort(rng.integers(0, 120, 4000))
    edges = []
    for _ in range(600):  # families of a few copies within 10 days
        first = int(rng.integers(0, len(day) - 400))
        members = first + rng.choice(300, int(rng.integers(2, 6)), replace=False)
        edges += [(a, b) for a, b in zip(members[:-1], members[1:], strict=True)
                  if abs(day[a] - day[b]) <= 30]
    for start in (100, 2000):  # chains stretching over many windows
        chain = np.searchsorted(day, np.arange(day[start], 120, 7))
        edges += list(zip(chain[:-1].tolist(), chain[1:].tolist(), strict=True))
    pairs = np.array(sorted({(min(a, b), max(a, b)) for a, b in edges if a != b}))
    days = list(range(0, 121, 3))
    fast = nearclusters.days_members(day, pairs, days, 30)
    for on, (nodes, canon) in zip(days, fast, strict=True):
        slow = nearclusters.day_members(day, pairs, on, 30)
        assert np.array_equal(nodes, slow[0]) and np.array_equal(canon, slow[1])
    assert sum(len(n) for n, _ in fast) > 300
    label = nearclusters.components(len(day), pairs)  # the chains were split somewhere
    assert any((canon != label[nodes]).any() for nodes, canon in fast)


def test_a_republish_rewrites_only_the_pair_partitions_that_differ(tmp_path: Path) -> None:
    """Deduping a day again whose pairs are the stored ones commits no near_pairs; a
    changed day rewrites only the partitions whose rows differ, and the table is the
    one a fresh archive gets."""
    from newsetl import layout, nearstore

    raw, out, fresh = tmp_path / "raw", tmp_path / "out", tmp_path / "fresh"
    _raw_days(raw)
    _publish(raw, out, DAYS)

    def pairs(root: Path) -> list[tuple]:
        return _sorted_rows(nearstore.read_pairs(root, DAYS[0], DAYS[-1]).drop_columns(
            ["publish_id"]))

    def version(root: Path) -> int:
        return nearstore._table(root, layout.NEAR_PAIRS).version()

    stored, before = pairs(out), version(out)
    neardup.dedup_days(out, DAYS[1], DAYS[1], window=2)
    assert version(out) == before and pairs(out) == stored

    (raw / DAYS[3] / "rerun.txt").unlink()  # day 4 loses its re-run of day 2's story
    run_day(raw, out, DAYS[3], detector="langdetect")
    neardup.dedup_days(out, DAYS[3], DAYS[3], window=2)
    last = nearstore._table(out, layout.NEAR_PAIRS).history(1)[0]
    assert version(out) == before + 1
    predicate = last["operationParameters"]["predicate"]  # day 2 held day 4's pair
    assert [d for d in DAYS if d in predicate] == [DAYS[1], DAYS[3]]
    for ds in DAYS:
        run_day(raw, fresh, ds, detector="langdetect")
    neardup.dedup_days(fresh, DAYS[0], DAYS[-1], window=2)
    assert pairs(out) == pairs(fresh) and pairs(out) != stored


def test_the_graph_numbers_nodes_in_ds_then_article_id_order() -> None:
    """Pairs numbered by ranking days and ids apart give the nodes in (ds, article_id)
    order — ids that are prefixes of others, the same id on two days, a pair's end
    outside the rows' days — and each pair stored both ways once, with its
    similarity."""
    rows = [("2024-05-02", "abc", "2024-05-01", "abc0", 0.9),
            ("2024-05-01", "abc0", "2024-05-02", "abc", 0.9),
            ("2024-05-01", "b", "2024-05-01", "abc", 1.0),
            ("2024-05-01", "abc", "2024-05-01", "b", 1.0),
            ("2024-05-03", "a/1", "2024-04-30", "zz", 0.85)]
    pairs = pa.table({"ds": [r[0] for r in rows], "article_id": [r[1] for r in rows],
                      "content_sha1": [f"h{r[1]}" for r in rows],
                      "other_ds": [r[2] for r in rows],
                      "other_article_id": [r[3] for r in rows],
                      "similarity": pa.array([r[4] for r in rows], pa.float32())})
    graph = neardup._Graph(pairs)
    expected = sorted({(r[0], r[1]) for r in rows} | {(r[2], r[3]) for r in rows})
    assert list(zip(graph.ds.to_pylist(), graph.article_id.to_pylist(),
                    strict=True)) == expected
    node = {name: k for k, name in enumerate(expected)}
    # an edge is taken from its row whose own end comes first (both are stored; the
    # last row's reverse lies outside these days)
    edges = sorted((node[(r[0], r[1])], node[(r[2], r[3])]) for r in rows
                   if node[(r[0], r[1])] < node[(r[2], r[3])])
    assert sorted(map(tuple, graph.edges.tolist())) == edges == [(1, 3), (2, 4)]
    assert graph.day.tolist() == nearpairs.ordinals([d for d, _ in expected]).tolist()
    a, b = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
    assert graph.similarity(a, b).tolist() == pytest.approx([1.0, 0.9])
    assert graph.names(np.array([1, 2])).to_pylist() == ["2024-05-01/abc", "2024-05-01/abc0"]


def test_republishing_a_copy_of_a_copy_keeps_its_canonical_signature_from_the_scan(
        tmp_path: Path, monkeypatch) -> None:
    """C copies B copies A, C not paired with its canonical A: republishing C's day
    recomputes C's similarity to A from A's signature kept while the window streamed
    past it (named by the stored row of C), not from a second read of A's day."""
    from newsetl import nearstore

    story = _story(20, 400)
    b = _substituted(story, 7, seed=22)
    c = _substituted(b, 7, seed=122)
    raw, out = tmp_path / "raw", tmp_path / "out"
    for ds, words in zip(DAYS[:3], (story, b, c), strict=True):
        (raw / ds).mkdir(parents=True)
        (raw / ds / "story.txt").write_text(_text("Chain", words))
    for ds in DAYS[:3]:
        run_day(raw, out, ds, detector="langdetect")
        neardup.dedup_days(out, ds, ds, window=2)
    keys = nearpairs.band_keys(neardup.window_from_table(read_table(out, "signatures")).sig)
    assert not (keys[:, 0] == keys[:, 2]).any()  # A shares no band with C: no candidate
    stored = _sorted_rows(read_table(out, "near_duplicates"))
    near = nearstore.stored_near_rows(out, DAYS[0], DAYS[2])
    keep = neardup._likely_needed(near, {DAYS[2]})
    assert {ds for ds, _ in keep.names} == {DAYS[0]}

    def no_reading(*args: object) -> None:
        raise AssertionError("signatures read again")

    monkeypatch.setattr(nearstore, "fetch_signatures", no_reading)
    neardup.dedup_days(out, DAYS[2], DAYS[2], window=2)
    assert _sorted_rows(read_table(out, "near_duplicates")) == stored

    sig = np.arange(3 * minhash.NUM_PERM, dtype=np.uint32).reshape(3, minhash.NUM_PERM)
    batch = pa.record_batch({"ds": [DAYS[0], DAYS[1], DAYS[1]], "article_id": ["x", "x", "y"]})
    kept = nearpairs.Keep({(DAYS[1], "x"), (DAYS[4], "y")}).rows(batch, sig)
    assert list(kept) == [(DAYS[1], "x")] and np.array_equal(kept[(DAYS[1], "x")], sig[1])
