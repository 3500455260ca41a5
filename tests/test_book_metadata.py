"""What the book says about itself: one version everywhere, named authors, licences, citation."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_one_version_in_pyproject_citation_and_changelog():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(cff["version"]) == version()
    top = re.search(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert top and top.group(1) == version(), "CHANGELOG's newest entry is not the package version"


def test_citation_has_the_required_fields_and_the_book_authors():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "type", "license"):
        assert cff.get(key), key
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert [a.get("name") for a in cff["authors"]] == [config["author"]]
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}


def test_licence_states_which_part_is_under_which_licence():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "CC BY 4.0" in text
    assert "Permission is hereby granted, free of charge" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"


def test_plain_titles_have_no_tex():
    from thermobook_sphinx.pages import tex_to_text

    assert tex_to_text(r"\gamma_\mathrm{eff} \propto T_L^{-2}") == "γ_eff ∝ T_L⁻²"
    assert tex_to_text(r"\chi(\Delta T)") == "χ(ΔT)"
    assert "\\" not in tex_to_text(r"J_1 = \kappa_1(T_A, T_B)\,(T_A - T_B)")
