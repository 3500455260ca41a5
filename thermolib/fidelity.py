"""The one switch between quick runs (CI, Binder, a laptop) and the published statistics.

``THERMOBOOK_FIDELITY=quick`` (default) keeps every chapter within a few minutes on two cores;
``THERMOBOOK_FIDELITY=paper`` raises simulation lengths and realization counts for the published
build and research runs. Chapters ask :func:`fidelity` and pick their run settings from it, and
:func:`choose` picks between a quick and a paper value in one line.
"""
from __future__ import annotations

import os
from typing import Any

__all__ = ["fidelity", "choose", "LEVELS", "seed_offset", "seed"]

ENV = "THERMOBOOK_FIDELITY"
SEED_ENV = "THERMOBOOK_SEED"
LEVELS = ("quick", "paper")
#: Distance between the seed sets of two values of ``THERMOBOOK_SEED`` (the chapters' own seeds are
#: small integers, far below this, so the sets never overlap).
SEED_STRIDE = 1_000_003


def fidelity() -> str:
    """The fidelity level from ``$THERMOBOOK_FIDELITY``: ``"quick"`` (default) or ``"paper"``."""
    level = os.environ.get(ENV, "quick").strip().lower() or "quick"
    if level not in LEVELS:
        raise ValueError(f"{ENV} must be one of {LEVELS}, got {level!r}")
    return level


def choose(quick: Any, paper: Any) -> Any:
    """Return ``quick`` or ``paper`` according to :func:`fidelity`."""
    return paper if fidelity() == "paper" else quick


def seed_offset() -> int:
    """The seed offset ``k`` from ``$THERMOBOOK_SEED`` (default 0): a non-negative integer.

    Every seed in every chapter (and every sweep spec's seed, in
    :func:`thermolib.sweep.load_or_compute`) is shifted by ``k * SEED_STRIDE``, so the whole book
    can be re-run on independent random numbers to check that no conclusion depends on the seeds
    written in the text.
    """
    raw = os.environ.get(SEED_ENV, "").strip() or "0"
    try:
        k = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be a non-negative integer, got {raw!r}") from None
    if k < 0:
        raise ValueError(f"{SEED_ENV} must be a non-negative integer, got {k}")
    return k


def seed(base: int) -> int:
    """The seed to use for a chapter's seed ``base``: ``base + seed_offset() * SEED_STRIDE``."""
    from ._validation import nonnegative_int

    return nonnegative_int("base", base) + seed_offset() * SEED_STRIDE
