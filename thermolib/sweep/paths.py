"""Where specs and stores live: paths relative to the project root, whatever the working directory.

The project root is ``$THERMOBOOK_ROOT`` when set, else the nearest directory above the spec (or
above the working directory) that holds ``_toc.yml`` or ``pyproject.toml``. A spec's
``store = "data/x.zarr"`` is relative to that root, so a chapter executed in ``chapters/ndc/``, the
command line run from the root and ``make data`` all mean the same store.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import SweepError

__all__ = ["ROOT_ENV", "ROOT_MARKERS", "project_root", "resolve_spec", "resolve_store"]

ROOT_ENV = "THERMOBOOK_ROOT"
ROOT_MARKERS = ("_toc.yml", "pyproject.toml")


def project_root(start: str | os.PathLike | None = None) -> Path | None:
    """The project root: ``$THERMOBOOK_ROOT``, else the first directory at or above ``start``
    (default: the working directory) holding one of :data:`ROOT_MARKERS`; None if there is none."""
    env = os.environ.get(ROOT_ENV, "").strip()
    if env:
        root = Path(env).expanduser()
        if not root.is_dir():
            raise SweepError(f"{ROOT_ENV} = {env!r} is not a directory")
        return root.resolve()
    here = Path(start if start is not None else Path.cwd()).expanduser().resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        if any((d / m).exists() for m in ROOT_MARKERS):
            return d
    return None


def resolve_spec(spec: str | os.PathLike) -> Path:
    """A spec path as given if it exists (absolute, or relative to the working directory), else
    relative to the project root."""
    path = Path(spec).expanduser()
    if path.exists() or path.is_absolute():
        return path
    root = project_root()
    if root is not None and (root / path).exists():
        return root / path
    return path  # reading it reports the missing file


def resolve_store(store: str | os.PathLike, *, spec_path: str | os.PathLike | None = None) -> Path:
    """Where a store named in a spec lives: absolute paths as given, relative ones under the
    project root of the spec (then of the working directory), else under the working directory."""
    path = Path(store).expanduser()
    if path.is_absolute():
        return path
    root = None
    if spec_path is not None:
        root = project_root(Path(spec_path).expanduser().resolve().parent)
    if root is None:
        root = project_root()
    return (root / path) if root is not None else path


def find_store(store: str | os.PathLike) -> Path | None:
    """An existing store given by the user: as given (relative to the working directory), else
    relative to the project root; None when neither exists."""
    path = Path(store).expanduser()
    if path.exists():
        return path
    if not path.is_absolute():
        root = project_root()
        if root is not None and (root / path).exists():
            return root / path
    return None
