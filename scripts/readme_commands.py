#!/usr/bin/env python3
"""Reads the commands that README.md shows, so that CI runs exactly what a newcomer would type.

    scripts/readme_commands.py main     the first command of "## The two commands" (the main job)
    scripts/readme_commands.py test     the second command of "## The two commands" (the tests)
    scripts/readme_commands.py others   every other command line of the README's `sh` blocks,
                                        one per line, in README order
    scripts/readme_commands.py toml     the README's first `toml` block (the --config example)

A command line is a non-empty line of a ```sh block that is not a comment; a trailing comment
(`  # ...`) and a continuation comment line (indented `# ...`) are dropped. Exits 2, saying why,
when the README no longer has the shape this reads (so CI fails rather than running nothing).
"""

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks(text, lang):
    """Yields (heading, lines) for every fenced block of the given language."""
    heading = None
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("#") and not line.startswith("#!"):
            heading = line.lstrip("#").strip()
        if line.strip() == f"```{lang}":
            body = []
            for inner in lines:
                if inner.strip() == "```":
                    break
                body.append(inner)
            yield heading, body


def commands(body):
    """The command lines of one sh block, comments stripped."""
    out = []
    for line in body:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        out.append(re.sub(r"\s+#(\s.*)?$", "", line).strip())
    return out


def fail(message):
    print(f"readme_commands.py: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in {"main", "test", "others", "toml"}:
        fail("usage: readme_commands.py main|test|others|toml")
    what = sys.argv[1]
    text = README.read_text(encoding="utf-8")
    sh = list(blocks(text, "sh"))
    two = [commands(body) for heading, body in sh if heading == "The two commands"]
    if len(two) != 1 or len(two[0]) != 2:
        fail('README.md must have exactly one ```sh block under "## The two commands", '
             "holding exactly two commands (the main job, then the tests)")
    if what == "main":
        print(two[0][0])
    elif what == "test":
        print(two[0][1])
    elif what == "others":
        for heading, body in sh:
            if heading != "The two commands":
                for command in commands(body):
                    print(command)
    else:
        toml = [body for _, body in blocks(text, "toml")]
        if not toml:
            fail("README.md has no ```toml block (the --config example)")
        print("\n".join(toml[0]))


if __name__ == "__main__":
    main()
