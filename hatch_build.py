"""Build step: compile the message catalogues (.po) to .mo files inside the wheel."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALES = Path("src/directive_dsl/locales")


class CompileCatalogues(BuildHookInterface):  # type: ignore[type-arg]
    """Adds ``directive_dsl/locales/LANG/LC_MESSAGES/directive_dsl.mo`` for each ``.po``."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the .po files from the source tree
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="directive-mo-"))
        for po in sorted((Path(self.root) / LOCALES).glob("*/LC_MESSAGES/*.po")):
            code = po.parent.parent.name
            catalog = read_po(io.BytesIO(po.read_bytes()), locale=code, domain=po.stem)
            target = out / code / f"{po.stem}.mo"
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            inside = f"directive_dsl/locales/{code}/LC_MESSAGES/{po.stem}.mo"
            build_data["force_include"][str(target)] = inside
