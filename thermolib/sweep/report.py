"""What one call of :meth:`thermolib.sweep.Sweep.run` did (a leaf: the driver fills it, the
store records it, the spec returns it)."""
from __future__ import annotations

import dataclasses

__all__ = ["RunReport"]


@dataclasses.dataclass
class RunReport:
    """What one call of :meth:`Sweep.run` did."""

    total: int
    already_done: int
    computed: int = 0
    failed: int = 0
    repaired: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    executor: str = ""
    interrupted: bool = False
    warnings: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
