"""A briefing over a real day of articles, as a chat would get it: every page's text (the top
page is the message; the rest open behind its buttons) and the picture that follows it.

The folder's articles are ingested into a fresh database (no model: positions by the wording,
as DEBATE_SIDES=cues does), then the briefing of everything since the day before is composed
exactly as the outbox queues it (bot/delivery/digest.py), and the picture of the propositions
with new positions is drawn as it is sent.

    PYTHONPATH=. .venv/bin/python bench/briefing_day.py eval/blind/b4/docs [--png out.png]
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image

from bot.debate.service import DebateMap
from bot.delivery.digest import compose_briefing, news_items, story_items
from bot.delivery.screen import Item, merge
from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.news.facts import FactReader
from bot.news.points import PointReader
from bot.store import Store
from bot.types import Document, Position

SINCE = "2000-01-01T00:00:00+00:00"  # everything ingested counts as new


class NoModel:
    """The positions step with DEBATE_SIDES=cues asks no model; anything else is a bug here."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"bench/briefing_day.py asks no model (LLM.{name})")


def positions(store: Store, korean: Korean) -> list[Position]:
    debate = DebateMap(store, NoModel(), korean, method="cues")  # type: ignore[arg-type]
    found: list[Position] = []
    for doc in store.documents():
        full: Document | None = store.document(doc.id)
        if full is not None:
            found.extend(debate.find(full))
    return found


def digest_items(store: Store, korean: Korean) -> list[Item]:
    """The story and news items of the briefing, as compose_briefing builds them."""
    facts = FactReader(store, korean)
    points = PointReader(store, facts)
    docs = store.documents(since=SINCE)
    return merge(news_items(docs, points), story_items(store, facts, points, docs))


def write_lines(path: Path, items: list[Item]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps({"kind": item.kind, "docs": list(item.doc_ids),
                                  "line": "\n".join(item.lines)}, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--png", type=Path, default=None, help="write the picture here")
    parser.add_argument("--lines", type=Path, default=None,
                        help="write each story and news line with its documents (JSONL), "
                        "for a reader to judge whether it says the point")
    args = parser.parse_args()
    korean = Korean()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(args.folder, Path(tmp) / "docs")
        store = Store(Path(tmp) / "day.db")
        ingest_folder(store, korean, Path(tmp) / "docs", max_bytes=5_000_000)
        found = positions(store, korean)
        digest = compose_briefing(store, korean, since=SINCE, today=date.today())
        if args.lines:
            write_lines(args.lines, digest_items(store, korean))
        for n, (label, text) in enumerate(digest.pages):
            heading = "message" if n == 0 else f"page behind the button “{label}”"
            print(f"===== {heading} ({len(text)} characters) =====\n{text}\n")
        print(f"{len(digest.doc_ids)} documents, {len(found)} positions found, "
              f"{digest.positions} new positions shown; propositions changed: "
              f"{', '.join(digest.changed) or 'none'}")
        if digest.changed:
            png = DebateMap(store, NoModel(), korean).changes_picture(  # type: ignore[arg-type]
                digest.changed)
            picture = Image.open(io.BytesIO(png))
            print(f"picture: {picture.width}x{picture.height} px, {len(png):,} bytes")
            if args.png:
                args.png.write_bytes(png)
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
