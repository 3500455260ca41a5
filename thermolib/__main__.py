"""Command line of thermolib: ``python -m thermolib sweep|status|functions``.

Input and store problems (unknown function or parameter, empty grid, unreadable spec, unreachable
scheduler, a store made with another configuration, a store locked by another sweep, an unwritable
or full disk, a sweep above the limits without ``--yes``) end with exit code 2 and one line
``thermolib: error: ...`` on stderr, never a traceback. ``status`` exits with 1 when the store does
not verify. Ctrl-C (130) and SIGTERM (143) stop a sweep cleanly: finished points are stored.
"""
from __future__ import annotations

import argparse
import sys

EXIT_INPUT = 2
EXIT_DAMAGED = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, same prefix for every subcommand
        print(f"thermolib: error: {' '.join(message.split())}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="thermolib", description="thermolib parameter sweeps (see thermolib.sweep)")
    sub = p.add_subparsers(dest="command", required=True, metavar="{sweep,status,functions}")
    s = sub.add_parser("sweep", help="run (or resume) a sweep from a TOML/YAML spec",
                       description="Compute the missing points of a sweep into its zarr store "
                                   "(THERMOBOOK_SEED=k: shifted seeds, store <name>.seed<k>.zarr).")
    s.add_argument("spec", help="spec file (.toml, .yaml)")
    s.add_argument("--store", help="store path (default: the spec's store, relative to the project root)")
    s.add_argument("--workers", type=int, help="local worker processes (default: CPUs; 0: in-process)")
    s.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address, e.g. tcp://host:8786")
    s.add_argument("--connect-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for the scheduler (default 5)")
    s.add_argument("--yes", action="store_true",
                   help="start even above the limits on points and estimated CPU-hours")
    s.add_argument("--wait", action="store_true",
                   help="wait for another sweep writing the same store instead of refusing")
    s.add_argument("--quiet", action="store_true", help="no plan, progress or summary")
    st = sub.add_parser("status", help="summarise and verify a sweep store")
    st.add_argument("store")
    st.add_argument("--no-verify", action="store_true",
                    help="skip the per-point checksums (faster; damage goes unnoticed)")
    sub.add_parser("functions", help="list the functions a spec can name")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from thermolib import sweep as sw
    from thermolib.sweep.driver import Terminated
    from thermolib.sweep.paths import resolve_spec
    from thermolib.sweep.results import status_report

    try:
        if args.command == "functions":
            print(sw.describe_functions())
            return 0
        if args.command == "status":
            text, ok = status_report(args.store, verify=not args.no_verify)
            print(text)
            if not ok:
                print(f"thermolib: error: store {args.store} does not verify (see 'verified:'); "
                      f"rerun its sweep to repair it", file=sys.stderr)
            return 0 if ok else EXIT_DAMAGED
        if args.workers is not None and args.workers < 0:
            raise sw.SweepError(f"--workers must be >= 0, got {args.workers}")
        sweep = sw.Sweep.from_spec(resolve_spec(args.spec))
        path = sweep.store_path(args.store)
        sweep.run(client=args.scheduler, workers=args.workers, progress=not args.quiet,
                  store=path, connect_timeout=args.connect_timeout, yes=args.yes, wait=args.wait)
        r = sweep.last_run
        if not args.quiet:
            done = r.already_done + r.computed
            msg = (f"thermolib: {sweep.function}: {done}/{r.total} points done (computed {r.computed} "
                   f"this run, {r.already_done} already stored"
                   + (f", {r.failed} failed" if r.failed else "")
                   + (f", {r.repaired} damaged recomputed" if r.repaired else "")
                   + f") in {r.seconds:.1f} s, {r.cpu_seconds:.1f} CPU-s -> {path}")
            print(msg, file=sys.stderr)
            for w, n in list(r.warnings.items())[:5]:
                print(f"thermolib: warning ({n} points): {w}", file=sys.stderr)
        return 0
    except sw.SweepError as exc:
        print(f"thermolib: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"thermolib: {what}; finished points are stored, rerun the same command to resume",
              file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())
