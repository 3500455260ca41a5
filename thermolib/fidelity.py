"""The one switch between quick runs (CI, Binder, a laptop) and the published statistics.

``THERMOBOOK_FIDELITY=quick`` (default) keeps every chapter within a few minutes on two cores;
``THERMOBOOK_FIDELITY=paper`` raises simulation lengths and realization counts for the published
build and research runs. Chapters ask :func:`fidelity` and pick their run settings from it, and
:func:`choose` picks between a quick and a paper value in one line.
"""
from __future__ import annotations

import os

__all__ = ["fidelity", "choose", "LEVELS"]

ENV = "THERMOBOOK_FIDELITY"
LEVELS = ("quick", "paper")


def fidelity() -> str:
    """The fidelity level from ``$THERMOBOOK_FIDELITY``: ``"quick"`` (default) or ``"paper"``."""
    level = os.environ.get(ENV, "quick").strip().lower() or "quick"
    if level not in LEVELS:
        raise ValueError(f"{ENV} must be one of {LEVELS}, got {level!r}")
    return level


def choose(quick, paper):
    """Return ``quick`` or ``paper`` according to :func:`fidelity`."""
    return paper if fidelity() == "paper" else quick
