"""What ingest reads of each page about itself, per folder (no model, no database): how many
pages get a date, a headline found in the page's structure, and an outlet — the page rules
measured on a folder at once (a new blind batch: text they were not fitted to). `-v` lists each
page with its title, outlet and date.
With `--labels FILE` (JSON lines: the page's path, its headline and outlet as a reader reads
them), each folder also counts the titles and outlets that are right, and `-v` marks the wrong.

    .venv/bin/python bench/page_meta.py seeds eval/docs eval/collection eval/blind/*/docs \\
        --labels eval/page_meta.jsonl
"""
from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.clean import clean_page
from bot.ingest.decode import Quarantined, decode_bytes
from bot.ingest.formats import FORMATS, plain_text
from bot.ingest.meta import PageMeta, extract_meta


@dataclass
class Tally:
    pages: int = 0
    dated: int = 0
    titled: int = 0
    with_outlet: int = 0
    labelled: int = 0
    headlined: int = 0  # labelled pages that print a headline at all
    title_right: int = 0
    outlet_right: int = 0


def _same(found: str | None, wanted: str | list[str] | None) -> bool:
    """Equal but for spacing and quotes; a label may list every acceptable spelling, and None
    (no outlet on the page) is matched by none found."""
    def key(text: str | None) -> str:
        return re.sub(r"[\s\"“”'‘’]+", "", text or "")
    options = wanted if isinstance(wanted, list) else [wanted]
    return any(key(found) == key(option) and (found is None) == (option is None)
               for option in options)


def read(page: Path) -> tuple[PageMeta, bool] | None:
    """The page's metadata as ingest reads it, and whether its headline was found in its
    structure (not the first sentence put in its place); None when ingest would not take it."""
    try:
        text, _encoding = decode_bytes(page.read_bytes(), max_bytes=5_000_000)
    except Quarantined:
        return None
    text = plain_text(page.name, text)
    cleaned = clean_page(text)
    meta = extract_meta(text, cleaned)
    return meta, cleaned.title_index is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="each page with its title, outlet and date")
    parser.add_argument("--labels", type=Path,
                        help="JSON lines of {page, title, outlet}; a list holds every right "
                             "spelling, null says the page prints none")
    args = parser.parse_args()
    labels: dict[str, dict[str, str]] = {}
    if args.labels:
        for line in args.labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[Path(row["page"]).as_posix()] = row
    for folder in args.folders:
        tally = Tally()
        for page in sorted(p for p in folder.iterdir() if p.suffix.lower() in FORMATS):
            found = read(page)
            if found is None:
                continue
            meta, structural = found
            tally.pages += 1
            tally.dated += bool(meta.date)
            tally.titled += structural
            tally.with_outlet += bool(meta.outlet)
            marks = ""
            if (label := labels.get(page.as_posix())) is not None:
                tally.labelled += 1
                # A page that prints no headline (a lead pasted alone) has no right title.
                title_ok = label["title"] is None or _same(meta.title, label["title"])
                outlet_ok = _same(meta.outlet, label["outlet"])
                tally.headlined += label["title"] is not None
                tally.title_right += title_ok and label["title"] is not None
                tally.outlet_right += outlet_ok
                marks = ("" if title_ok else " ✗title") + ("" if outlet_ok else " ✗outlet")
            if args.verbose:
                print(f"  {page.name}:{marks}\n    title  {meta.title}\n"
                      f"    outlet {meta.outlet or '-'} · date {meta.date or '-'}")
        scored = (f"; labelled: titles {tally.title_right}/{tally.headlined} right, outlets "
                  f"{tally.outlet_right}/{tally.labelled}") if tally.labelled else ""
        print(f"{folder}: {tally.pages} pages: {tally.dated} dated, {tally.titled} with a "
              f"headline found, {tally.with_outlet} with an outlet{scored}")


if __name__ == "__main__":
    main()
