"""A team's own decks: importers that turn a file into question entries and problems with line
numbers, and exporters back to CSV, YAML and Anki packages (issue 18).

`bot.decks.reader.read_deck` is the entry point; this package's root stays light so the command
line can name the formats without importing the parsers.
"""

from __future__ import annotations

# The formats `read_deck` can be told to use (`--format`); by default the file name decides.
FORMATS = ("apkg", "yaml", "csv", "tsv", "txt", "anki-text", "notes", "quizlet")
# The format a file's name proposes (its content has to agree): what the chat adapters offer
# and accept before a file is downloaded, and what `read_deck` reads.
EXTENSIONS = {
    ".apkg": "apkg", ".colpkg": "apkg", ".csv": "csv", ".tsv": "tsv", ".txt": "txt", ".md": "notes",
    ".markdown": "notes", ".yaml": "yaml", ".yml": "yaml",
}  # fmt: skip
