"""Write, check or print the user guide the application ships, generated from ``docs/user-guide.md``.

The guide has one source, ``docs/user-guide.md``, whose pictures point at ``../resources/screenshots/NAME.png``
so that GitHub shows them. Help > User guide opens ``resources/user-guide.md`` (through
``turnout_desktop.resources_path``, so installed and frozen copies have it), where the same pictures are
``screenshots/NAME.png``. Run from the repository root after changing the guide:

    python tools/ship_user_guide.py            # write resources/user-guide.md
    python tools/ship_user_guide.py --check    # exit 1 when resources/user-guide.md differs
    python tools/ship_user_guide.py --print    # print the shipped text

tests/test_user_guide.py fails while the two differ.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "user-guide.md"
SHIPPED = ROOT / "resources" / "user-guide.md"
REGENERATE = "python tools/ship_user_guide.py"
SOURCE_PICTURES = "../resources/screenshots/"
SHIPPED_PICTURES = "screenshots/"
GENERATED_NOTE = f"<!-- Generated from docs/user-guide.md by {REGENERATE}; edit that file, not this one. -->\n"
# A Markdown link or image whose target leaves docs/ (``](../...)``): only the pictures survive shipping.
RELATIVE_TARGET = re.compile(r"\]\((\.\./[^)\s]*)\)")


class GuideLinkError(ValueError):
    """The guide links to a repository file that the shipped copy could not reach."""


def shipped_text(source: str) -> str:
    """The shipped guide: ``source`` with its pictures under ``screenshots/`` and a do-not-edit note on top."""
    unreachable = [target for target in RELATIVE_TARGET.findall(source) if not target.startswith(SOURCE_PICTURES)]
    if unreachable:
        raise GuideLinkError(f"docs/user-guide.md links to {', '.join(unreachable)}: the copy in resources/ "
                             f"cannot reach it; link only pictures under {SOURCE_PICTURES}")
    return GENERATED_NOTE + source.replace(f"]({SOURCE_PICTURES}", f"]({SHIPPED_PICTURES}")


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = options.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="exit 1 when resources/user-guide.md is out of date")
    action.add_argument("--print", action="store_true", help="print the shipped guide instead of writing it")
    args = options.parse_args(argv)
    try:
        text = shipped_text(SOURCE.read_text(encoding="utf-8"))
    except GuideLinkError as problem:
        print(problem, file=sys.stderr)
        return 2
    if args.print:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = SHIPPED.read_text(encoding="utf-8") if SHIPPED.is_file() else ""
        if current != text:
            print(f"{SHIPPED.relative_to(ROOT)} is out of date with docs/user-guide.md; run: {REGENERATE}",
                  file=sys.stderr)
            return 1
        return 0
    SHIPPED.write_text(text, encoding="utf-8")
    print(f"wrote {SHIPPED.relative_to(ROOT)} from docs/user-guide.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
