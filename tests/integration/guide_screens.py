# SPDX-License-Identifier: GPL-3.0-or-later
"""Pastes the screens the terminal tests captured into the user guides.

    KURA_SCREENS_DIR=/tmp/screens ctest -R menu      # the tests write <dir>/<lang>/<name>.txt
    python3 tests/integration/guide_screens.py /tmp/screens

In docs/user-guide*.md, each `<!-- screen: LANG/NAME -->` marker is followed by a fenced
block; its contents are replaced by the capture. A marker without a capture is reported.
"""

import os
import re
import sys

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
MARKER = re.compile(r"(<!-- screen: ([a-z]+/[a-z0-9-]+) -->\n```\n)(.*?)(```\n)", re.S)


def main(screens):
    missing = []
    for guide in sorted(f for f in os.listdir(DOCS) if f.startswith("user-guide") and f.endswith(".md")):
        path = os.path.join(DOCS, guide)
        with open(path, encoding="utf-8") as f:
            text = f.read()

        def paste(match):
            capture = os.path.join(screens, match.group(2) + ".txt")
            if not os.path.isfile(capture):
                missing.append("%s: %s" % (guide, match.group(2)))
                return match.group(0)
            with open(capture, encoding="utf-8") as f:
                return match.group(1) + f.read() + match.group(4)

        with open(path, "w", encoding="utf-8") as f:
            f.write(MARKER.sub(paste, text))
    for m in missing:
        print("no capture for", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
