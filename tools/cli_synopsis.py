"""Print, check or write the README's ``turnout`` command-line synopsis, generated from the parser.

Run from the repository root after adding or changing a command or an option:

    python tools/cli_synopsis.py            # print the synopsis
    python tools/cli_synopsis.py --write    # replace it in README.md (between the cli-synopsis markers)
    python tools/cli_synopsis.py --check    # exit 1 when README.md differs

The text comes from ``turnout_desktop/cli/synopsis.py``; tests/cli/test_cli_synopsis.py fails while README.md
holds another.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turnout_desktop.cli.main import build_parser
from turnout_desktop.cli.synopsis import current_synopsis, synopsis_block, with_synopsis

README = Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = options.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="replace the synopsis in README.md")
    action.add_argument("--check", action="store_true", help="exit 1 when README.md's synopsis is out of date")
    args = options.parse_args(argv)
    block = synopsis_block(build_parser())
    if args.write:
        text = README.read_text(encoding="utf-8")
        README.write_text(with_synopsis(text, block), encoding="utf-8")
        print(f"wrote the synopsis into {README}")
        return 0
    if args.check:
        if current_synopsis(README.read_text(encoding="utf-8")) != block:
            print(f"{README.name}: the command-line synopsis is out of date; run: python tools/cli_synopsis.py "
                  "--write", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
