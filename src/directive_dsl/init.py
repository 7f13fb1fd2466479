"""``directive init``: a starter directive, its data, a test file and a configuration.

The files are shipped in the package (``starter/``) and copied as they are,
so ``directive check targets.directive`` and ``directive test`` work in the
new folder at once. Existing files are never overwritten: if any of them is
already there, nothing is written.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import DirectiveUsageError, listing

#: The starter's files, relative to the folder they are written to.
FILES = (
    "targets.directive",
    "data/exports.csv",
    "tests/targets.test.toml",
    "directive.toml",
)


def init(folder: Path) -> list[Path]:
    """Write the starter files into *folder* (made if needed); the paths written."""
    targets = [folder / name for name in FILES]
    taken = [str(path) for path in targets if path.exists()]
    if taken:
        raise DirectiveUsageError(
            f"{listing(taken)} already exist{'s' if len(taken) == 1 else ''}; nothing was written",
            hint="run `directive init` in an empty folder, or name a new one: `directive init DIR`",
        )
    if folder.exists() and not folder.is_dir():
        raise DirectiveUsageError(f"{folder} is a file, not a folder")
    starter = resources.files("directive_dsl").joinpath("starter")
    try:
        for name, target in zip(FILES, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_read(starter, name), encoding="utf-8")
    except OSError as error:
        raise DirectiveUsageError(
            f"cannot write the starter into {folder}: {error.strerror or error}"
        ) from None
    return targets


def _read(starter: Traversable, name: str) -> str:
    node = starter
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")
