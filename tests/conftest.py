"""Shared pytest configuration: the `slow` marker is declared in pyproject.toml."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded generator for tests that need random parameter points (deterministic)."""
    return np.random.default_rng(20261122)
