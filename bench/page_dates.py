"""How many pages of each folder ingest finds a date for (no model, no database): the date rule
measured on text it was not fitted to. `-v` lists each page with the date found.

    .venv/bin/python bench/page_dates.py seeds eval/docs eval/collection eval/blind/*/docs
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bot.ingest.clean import clean_page
from bot.ingest.meta import extract_meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="each page and its date")
    args = parser.parse_args()
    for folder in args.folders:
        pages = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md"))
        dated = 0
        for page in pages:
            text = page.read_text(encoding="utf-8", errors="replace")
            date = extract_meta(text, clean_page(text)).date
            dated += bool(date)
            if args.verbose:
                print(f"  {page.name}: {date or '-'}")
        print(f"{folder}: {dated}/{len(pages)} pages dated")


if __name__ == "__main__":
    main()
