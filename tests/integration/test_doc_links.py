# SPDX-License-Identifier: GPL-3.0-or-later
"""Every reference in the docs and in the code's comments leads somewhere in the repository.

- Markdown links in README.md, docs/*.md and tests/bench/README.md resolve to files.
- Every repository path those documents name (`src/...`, `tests/...`, `docs/...`,
  `live-iso/...`, `drivers/...`, `.ci/...`, or a path inside a src/ folder such as
  `fs/filesystem_table.cpp`) exists; globs such as `test_menu_*.py` must match something.
- Each file named in a row of docs/architecture.md's "Source layout" table lies in that
  row's folder, so a file that moves to another layer cannot stay listed under the old one.
- `docs/NAME.md, "Section"` references - in the docs and in comments of src/, tui/,
  tests/, live-iso/, .ci/ and drivers/ - name a document and one of its headings, and file
  paths in those comments (`pipeline/save_checkpoint.h`) exist.
- Nothing cites the notes kept outside the repository (`../shared/formats/...`).

Needs no root and no kura binary: it reads files only."""
import glob
import os
import re
import sys
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOP_DIRS = ("src", "tui", "tests", "docs", "live-iso", "drivers", ".ci")
LAYERS = tuple(sorted(d for d in os.listdir(os.path.join(TOP, "src"))
                      if os.path.isdir(os.path.join(TOP, "src", d))))
CODE_DIRS = ("src", "tui", "tests", "live-iso", ".ci", "drivers")
CODE_SUFFIXES = (".h", ".cpp", ".py", ".sh", ".txt", "")

# A path: a first component, then more; stops before punctuation that ends a sentence.
PATH = re.compile(r"(?<![\w./<-])((?:\.ci|[a-z][a-z0-9_-]*)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*])")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FILE_NAME = re.compile(r"`([A-Za-z0-9_*-]+\.(?:cpp|h|py|sh|list|conf))`")
# docs/cli.md, "Section" / (docs/cli.md, "Section") / docs/cli.md ("Section"); the document
# may be named without docs/ inside docs/.
SECTION_REF = re.compile(r"(?<![\w/.-])(?:docs/)?([a-z][a-z.-]*\.md)\)?,?\s*\(?\"([^\"]{2,80})\"")
OUTSIDE = re.compile(r"(?:\.\./)+shared/|(?<![\w-])shared/(?:formats|notes|hooks)/|/work/")


def documents():
    docs = sorted(glob.glob(os.path.join(TOP, "docs", "*.md")))
    return [os.path.join(TOP, "README.md"), os.path.join(TOP, "tests", "bench", "README.md")] + docs


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rel(path):
    return os.path.relpath(path, TOP)


def without_code_blocks(text):
    """Fenced blocks show output and commands (paths on the live system, not in the tree);
    their lines are blanked so line numbers stay right."""
    return re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def exists(path):
    return bool(glob.glob(os.path.join(TOP, path)))


def repository_path(token):
    """The repository path a token names, or None when it names none (`ext2/3/4`, `y/n`)."""
    token = token.rstrip(".")
    if "..." in token:
        return None
    first = token.split("/")[0]
    if first in TOP_DIRS:
        return token
    if first in LAYERS and token != first + "/":
        return "src/" + token
    return None


def normalise_heading(text):
    return re.sub(r"\s+", " ", text.replace("`", "")).strip().lower()


def headings(doc):
    path = os.path.join(TOP, "docs", doc) if doc != "README.md" else os.path.join(TOP, doc)
    if not os.path.isfile(path):
        return None
    return [normalise_heading(m.group(1))
            for m in re.finditer(r"^#+\s+(.*)$", without_code_blocks(read(path)), flags=re.M)]


def code_files():
    for top in CODE_DIRS:
        for root, dirs, files in os.walk(os.path.join(TOP, top)):
            dirs[:] = [d for d in dirs if d not in ("corpus", "__pycache__")]
            for name in files:
                path = os.path.join(root, name)
                if os.path.splitext(name)[1] in CODE_SUFFIXES and os.path.isfile(path):
                    yield path


def comment_text(path):
    """The file with comment markers at line starts removed and lines joined, so a
    reference broken across two comment lines reads as one; #include lines are dropped
    (the compiler checks those)."""
    try:
        text = read(path)
    except UnicodeDecodeError:
        return ""
    lines = [line for line in text.split("\n") if not line.lstrip().startswith("#include")]
    return " ".join(re.sub(r"^\s*(//+|#+|\*)?\s?", "", line) for line in lines)


class DocLinks(unittest.TestCase):
    def test_markdown_links_resolve(self):
        broken = []
        for doc in documents():
            for n, line in enumerate(without_code_blocks(read(doc)).split("\n"), 1):
                for m in LINK.finditer(line):
                    target = m.group(1)
                    if re.match(r"[a-z]+:", target):
                        continue
                    path = target.split("#")[0]
                    if path and not os.path.exists(os.path.join(os.path.dirname(doc), path)):
                        broken.append(f"{rel(doc)}:{n}: link to {target}")
        self.assertEqual(broken, [])

    def test_paths_named_in_docs_exist(self):
        missing = []
        checked = 0
        for doc in documents():
            for n, line in enumerate(without_code_blocks(read(doc)).split("\n"), 1):
                for m in PATH.finditer(line):
                    path = repository_path(m.group(1))
                    if path is None:
                        continue
                    checked += 1
                    if not exists(path):
                        missing.append(f"{rel(doc)}:{n}: {m.group(1)}")
        self.assertEqual(missing, [])
        self.assertGreater(checked, 50, "the path pattern no longer finds the docs' paths")

    def test_source_layout_rows_name_files_of_their_folder(self):
        text = read(os.path.join(TOP, "docs", "architecture.md"))
        section = text.split("## Source layout", 1)[1].split("\n## ", 1)[0]
        wrong, rows = [], 0
        for line in section.split("\n"):
            m = re.match(r"\| `([^`]+)/` \|(.*)\|\s*$", line)
            if not m:
                continue
            rows += 1
            folder, cell = m.group(1), m.group(2)
            for name in FILE_NAME.findall(cell):
                found = glob.glob(os.path.join(TOP, folder, "**", name), recursive=True)
                if not found:
                    wrong.append(f"{folder}/: {name}")
        self.assertEqual(wrong, [])
        self.assertGreater(rows, 10, "the Source layout table was not found")

    def test_section_references_name_existing_headings(self):
        sources = [(doc, re.sub(r"\s+", " ", without_code_blocks(read(doc)))) for doc in documents()]
        sources += [(path, comment_text(path)) for path in code_files() if path != os.path.abspath(__file__)]
        bad, checked = [], 0
        for path, text in sources:
            for m in SECTION_REF.finditer(text):
                doc, section = m.group(1), normalise_heading(m.group(2))
                found = headings(doc)
                checked += 1
                if found is None:
                    bad.append(f"{rel(path)}: {doc} does not exist")
                elif not any(section in h for h in found):
                    bad.append(f'{rel(path)}: {doc} has no heading "{m.group(2)}"')
        self.assertEqual(bad, [])
        self.assertGreater(checked, 10, "the section pattern no longer finds the references")

    def test_code_comments_cite_files_in_the_repository(self):
        bad = []
        for path in code_files():
            if path == os.path.abspath(__file__):
                continue
            text = comment_text(path)
            for m in OUTSIDE.finditer(text):
                bad.append(f"{rel(path)}: cites {text[m.start():m.start() + 60]!r}, outside the repository")
            for m in PATH.finditer(text):
                token = m.group(1).rstrip(".")
                if not re.search(r"\.(h|cpp|py|sh|md)$", token):
                    continue
                target = repository_path(token)
                if target is not None and not exists(target):
                    bad.append(f"{rel(path)}: {token} does not exist")
        self.assertEqual(bad, [])


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    unittest.main(verbosity=2)
