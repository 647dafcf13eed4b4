"""Count what an index of a vault holds: claims, fragments, annotations, references,
criterion claims, tension edges (issue 15's before/after table).

    PYTHONPATH=$PWD python benchmarks/vault_counts.py VAULT [VAULT ...] [--no-embed]
        [--samples N] [--json OUT]

Each vault is indexed into a fresh temporary database with the default stages (the
shipped model unless ``--no-embed``; tension edges need the model). ``--samples N``
prints N random annotations, references and fragments per vault, to read by eye.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _has_column(db, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


def count(vault: Path, embed: bool, samples: int) -> dict:
    from explorer.indexing.pipeline import Summary, index_vault
    from explorer.indexing.stages import SemanticIndex

    embedder = None
    if embed:
        from explorer.semantic.embedder import Embedder

        embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "counts.db"
        notes, vaults = SemanticIndex(vault, embedder=embedder).stages()
        t0 = time.perf_counter()
        summary = None
        for event in index_vault(vault, db_path, note_stages=notes, vault_stages=vaults):
            if isinstance(event, Summary):
                summary = event
        seconds = time.perf_counter() - t0
        import sqlite3

        db = sqlite3.connect(db_path)
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        fragment_sql = (
            "SELECT count(*) FROM claims WHERE fragment = 1"
            if _has_column(db, "claims", "fragment")
            else None
        )
        out = {
            "vault": str(vault),
            "notes": summary.notes,
            "claims": one("SELECT count(*) FROM claims"),
            "fragments": one(fragment_sql) if fragment_sql else 0,
            "annotations": one("SELECT count(*) FROM annotations"),
            "references": one("SELECT count(*) FROM refs"),
            "citations": one("SELECT count(*) FROM cites"),
            "criterion_claims": one(
                "SELECT count(*) FROM claims WHERE kind = 'consciousness-criterion'"
            ),
            "tension_edges": one("SELECT count(*) FROM sim_edges WHERE type = 'tension'"),
            "similar_edges": one("SELECT count(*) FROM sim_edges WHERE type = 'similar'"),
            "warnings": len(summary.warnings),
            "seconds": round(seconds, 1),
        }
        if samples:
            rng = random.Random(15)
            picks = {
                "annotations": "SELECT stance, text FROM annotations",
                "references": "SELECT kind, label FROM refs",
                "criterion": "SELECT note, text FROM claims WHERE kind = 'consciousness-criterion'",
                "tension": "SELECT a.text, b.text FROM sim_edges e JOIN claims a ON "
                "a.id = e.source JOIN claims b ON b.id = e.target WHERE e.type = 'tension'",
            }
            if fragment_sql:
                picks["fragments"] = "SELECT text FROM claims WHERE fragment = 1"
            for name, sql in picks.items():
                rows = db.execute(sql).fetchall()
                print(f"--- {vault.name}: {name} ({len(rows)})")
                for row in rng.sample(rows, min(samples, len(rows))):
                    print("   ", " | ".join(str(v)[:120] for v in row))
        db.close()
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vaults", nargs="+", type=Path)
    parser.add_argument("--no-embed", action="store_true")
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = [count(v, not args.no_embed, args.samples) for v in args.vaults]
    for r in results:
        print(json.dumps(r))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
