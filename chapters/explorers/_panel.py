"""What both explorers share: sliders that redraw a figure, and a simulate button that runs in the
background with progress, cancel, reset-to-defaults and a clean state whatever ends the run.

The simulation runs in a worker thread, so the kernel stays free while it runs: the cancel button
and the sliders keep working, and a kernel interrupt (which Jupyter delivers to the idle main
thread) cannot leave the panel half-updated. The figure is rendered to PNG with matplotlib's
object-oriented API (no pyplot state) and shown in an ``Image`` widget, which is safe to update from
the worker thread. One simulation runs at a time in a kernel (numba's thread pool is shared):
a second explorer's click waits for the first.
"""
from __future__ import annotations

import io
import threading
import time

import ipywidgets as widgets

from .runs import Cancelled

__all__ = ["SimulationPanel", "png"]

_RUN_LOCK = threading.Lock()
_READY: set[str] = set()          # simulators that have run once in this process (compiled/loaded)
_DRAW_LOCK = threading.Lock()     # matplotlib's Agg renderer is not documented as thread-safe


def png(fig, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (closed afterwards: nothing accumulates)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def _interrupted(err: BaseException) -> bool:
    """A KeyboardInterrupt, or the SystemError that numba raises when one arrives inside a compiled
    kernel (a chain of SystemErrors ending in the KeyboardInterrupt)."""
    for _ in range(8):
        if isinstance(err, KeyboardInterrupt):
            return True
        if not isinstance(err, SystemError):
            return False
        err = err.__cause__ or err.__context__
    return False


class SimulationPanel:
    """Base class: subclasses define ``DEFAULTS``, ``SIMULATOR`` (a name for the compile notice),
    ``make_controls()``, ``figure(params, sims)`` and ``simulate(params, progress, cancelled)``."""

    DEFAULTS: dict = {}
    SIMULATOR = "simulator"
    RUN_SETTINGS: tuple = ()       # names of the run-setting widgets (time, realizations, seed)

    def __init__(self, *, t, t_range, realizations, r_range, seed, button, split):
        """``t_range`` = (log10 min, log10 max, step) of the simulated time, ``r_range`` =
        (min, max, step) of the realizations; ``split``: controls in the first column."""
        lay = widgets.Layout
        kw = dict(continuous_update=False, style={"description_width": "90px"}, layout=lay(width="320px"))
        lo, hi, step = t_range
        self.sim_t = widgets.FloatLogSlider(value=t, base=10, min=lo, max=hi, step=step,
                                            description="sim. time t", **kw)
        lo, hi, step = r_range
        self.sim_R = widgets.IntSlider(value=realizations, min=lo, max=hi, step=step,
                                       description="realizations", **kw)
        self.seed = widgets.IntText(value=seed, description="seed", layout=lay(width="160px"))
        self.controls = self.make_controls()
        self.sims: list[dict] = []
        self.image = widgets.Image(format="png", layout=lay(max_width="100%"))
        self.message = widgets.HTML("")
        self.button = widgets.Button(description=button, icon="play", button_style="primary",
                                     layout=lay(width="200px"))
        self.cancel = widgets.Button(description="cancel", icon="stop", disabled=True,
                                     layout=lay(width="100px"))
        self.clear = widgets.Button(description="clear points", layout=lay(width="110px"))
        self.reset = widgets.Button(description="reset to defaults", icon="undo",
                                    layout=lay(width="150px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=lay(width="120px"))
        self.status = widgets.Label("")
        self._cancel_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._hold = False
        for w in self.controls.values():
            w.observe(lambda change: self.redraw(), names="value")
        self.button.on_click(lambda b: self.start())
        self.cancel.on_click(lambda b: self._cancel_event.set())
        self.clear.on_click(lambda b: (self.sims.clear(), self.redraw()))
        self.reset.on_click(lambda b: self.reset_defaults())
        names = list(self.controls)
        self.ui = widgets.VBox([
            widgets.HBox([widgets.VBox([self.controls[n] for n in names[:split]]),
                          widgets.VBox([self.controls[n] for n in names[split:]])]),
            widgets.HBox([self.sim_t, self.sim_R, self.seed]),
            widgets.HBox([self.button, self.cancel, self.clear, self.reset, self.progress,
                          self.status]),
            self.message, self.image,
        ])
        self.redraw()

    # --------------------------------------------------------------------------- parameters
    def params(self) -> dict:
        return {n: w.value for n, w in self.controls.items()}

    def reset_defaults(self):
        """Every slider back to its default, then one redraw (the simulated points stay)."""
        self._hold = True
        try:
            for name, w in self.controls.items():
                if name in self.DEFAULTS:
                    w.value = self.DEFAULTS[name]
        finally:
            self._hold = False
        self.redraw()

    # --------------------------------------------------------------------------- drawing
    def redraw(self):
        if self._hold:
            return
        try:
            with _DRAW_LOCK:
                self.image.value = png(self.figure(self.params(), self.sims))
            self.message.value = ""
        except ValueError as err:  # e.g. k_A = k_B = 0: no steady state
            self.message.value = f"<b>cannot draw:</b> {err}"

    # --------------------------------------------------------------------------- running
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        """Button callback: run the simulation in a worker thread (returns at once)."""
        if self.running:
            return
        self._begin()
        self._thread = threading.Thread(target=self._run, name=f"{type(self).__name__}-run",
                                        daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a started run to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def run(self):
        """Run the simulation in the calling thread (scripts, tests); a KeyboardInterrupt leaves
        the panel in a clean state and is then re-raised."""
        self._begin()
        self._run(reraise=True)

    def _begin(self):
        self._cancel_event.clear()
        self.button.disabled, self.cancel.disabled = True, False
        self.progress.value = 0
        self.status.value = "waiting for the other explorer's run ..." if _RUN_LOCK.locked() else ""

    def _progress(self, done: int, total: int):
        self.progress.max, self.progress.value = max(total, 1), done
        self.status.value = f"running ... {done}/{total}"

    def _run(self, reraise: bool = False):
        t0 = time.perf_counter()
        params = self.params()
        try:
            with _RUN_LOCK:
                if self.SIMULATOR not in _READY:
                    self.status.value = "compiling simulator (first run only) ..."
                pts = self.simulate(params, self._progress, self._cancel_event.is_set)
                _READY.add(self.SIMULATOR)
            self.sims.extend(pts)
            self.status.value = f"done in {time.perf_counter() - t0:.1f} s" + self.summary(pts)
        except Cancelled as err:
            self.status.value = f"{err} (finished chunks are kept in the run cache)"
        except (ValueError, FloatingPointError) as err:  # SimulationDiverged is a FloatingPointError
            self.status.value = f"failed: {err}"
        except BaseException as err:
            if _interrupted(err):                # only in run(): signals reach the main thread only
                self.status.value = "interrupted"
                if isinstance(err, KeyboardInterrupt):
                    raise
                raise KeyboardInterrupt() from err
            self.status.value = f"failed: {type(err).__name__}: {err}"   # a bug: say so, stay usable
            if reraise or not isinstance(err, Exception):
                raise
        finally:
            self.button.disabled, self.cancel.disabled = False, True
            self.redraw()

    def summary(self, pts) -> str:
        return ""
