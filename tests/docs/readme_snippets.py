"""Fails when a code block of the README differs from the example section it copies.

    python tests/docs/readme_snippets.py [README.md]

The README cannot include files the way the site does, so each of its code blocks that shows
an example is preceded by `<!-- snippet: PATH:SECTION -->`, and this check compares the
block with that section of the file (which tests/docs/run_examples.py runs). Exits 1 on any
difference, naming the block.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- snippet: (\S+):(\w+) -->\n```\w*\n(.*?)\n```", re.DOTALL)


def section(path: Path, name: str) -> str:
    """The lines between the section's start and end markers, dedented."""
    lines: list[str] = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if f"--8<-- [start:{name}]" in line:
            inside = True
        elif f"--8<-- [end:{name}]" in line:
            inside = False
        elif inside:
            lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip("\n")


def main() -> int:
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "README.md"
    blocks = MARKER.findall(readme.read_text(encoding="utf-8"))
    if not blocks:
        print(f"{readme}: no `<!-- snippet: PATH:SECTION -->` blocks", file=sys.stderr)
        return 1
    stale = [
        f"{path}:{name}"
        for path, name, body in blocks
        if section(REPO / path, name) != body.strip("\n")
    ]
    for name in stale:
        print(f"{readme.name}: the block copied from {name} differs from the file", file=sys.stderr)
    print(f"{len(blocks) - len(stale)} of {len(blocks)} README blocks match their examples")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
