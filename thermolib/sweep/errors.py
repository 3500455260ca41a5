"""The one error type of the sweep runner, and how a grid point is named in messages."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SweepError", "describe_point"]


class SweepError(Exception):
    """Bad sweep input or an unusable store: a one-line message that says what to do.

    The command line prints it as ``thermolib: error: <message>`` and exits with code 2.
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def describe_point(params: Mapping[str, Any]) -> str:
    """``"T_L = 0.5, zeta = 0.1"``: a grid point as messages and the failure log name it."""
    return ", ".join(f"{k} = {v!r}" for k, v in params.items())
