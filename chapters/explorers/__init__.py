"""Interactive explorers of the book's two models (the "Explore" chapter), with their figures.

Chapter-local code, not part of thermolib (which never knows about notebooks): the figure functions
draw thermolib's formulas, :mod:`.runs` is the one place that calls thermolib's simulators, and the
explorer classes add ipywidgets controls, a background simulate button with progress and cancel,
and reset-to-defaults (:mod:`._panel`).
"""
from .diode import (DIODE_DEFAULTS, DIODE_FIGURE_RUN, DIODE_FORCES, DIODE_SIM_POINTS,
                    DiodeExplorer, diode_curves, diode_figure, diode_figure_points, exact_excess,
                    make_diode, simulate_diode_points, temperatures)
from .ndc import (MEMORY_MAX_N, NDC_DEFAULTS, NDC_FIGURE_RUN, NDCExplorer, ndc_chain, ndc_curves,
                  ndc_figure, ndc_figure_points, simulate_ndc_point)
from .runs import Cancelled

__all__ = ["NDC_DEFAULTS", "NDC_FIGURE_RUN", "MEMORY_MAX_N", "NDCExplorer", "ndc_chain",
           "ndc_curves", "ndc_figure", "ndc_figure_points", "simulate_ndc_point", "DIODE_DEFAULTS",
           "DIODE_FIGURE_RUN", "DIODE_FORCES", "DIODE_SIM_POINTS", "DiodeExplorer", "diode_curves",
           "diode_figure", "diode_figure_points", "exact_excess", "make_diode",
           "simulate_diode_points", "temperatures", "Cancelled"]
