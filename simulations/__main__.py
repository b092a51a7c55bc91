"""Command line: ``python -m simulations list | run NAME [options] | all [options]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simulations._context import RunContext
from simulations._executor import EXECUTORS
from simulations._registry import SimulationError, discover, get_driver

PROG = "python -m simulations"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump) and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{PROG}: error: {message}\n")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small sizes: finishes in seconds")
    parser.add_argument("--out", type=Path, default=Path("figures"), help="output folder (default: figures)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every jax.random key (default: 0)")
    parser.add_argument("--executor", choices=EXECUTORS, default="local", help="where sweeps run (default: local)")
    parser.add_argument("--scheduler", default=None, metavar="ADDR",
                        help="dask scheduler address to join; none starts a LocalCluster")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list the drivers, one line each")
    run = sub.add_parser("run", help="run one driver")
    run.add_argument("name", help="driver name (see 'list')")
    _add_run_options(run)
    every = sub.add_parser("all", help="run every driver")
    _add_run_options(every)
    return parser


def _run_one(name: str, args: argparse.Namespace) -> None:
    drv = get_driver(name)
    ctx = RunContext(name=drv.name, quick=args.quick, out=args.out, seed=args.seed, executor=args.executor,
                     scheduler=args.scheduler, progress_bars=not args.no_progress)
    start = time.perf_counter()
    drv.run(ctx)
    files = ", ".join(str(p) for p in ctx.written) or "no files"
    print(f"{drv.name}: {time.perf_counter() - start:.1f} s -> {files}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "scheduler", None) is not None and args.executor != "dask":
            raise SimulationError("--scheduler needs --executor dask")
        if args.command == "list":
            drivers = discover()
            width = max((len(n) for n in drivers), default=0)
            for name in sorted(drivers):
                print(f"{name:<{width}}  {drivers[name].description}")
            return 0
        if args.command == "run":
            _run_one(args.name, args)
            return 0
        failed = []
        for name in sorted(discover()):
            try:
                _run_one(name, args)
            except Exception as exc:  # noqa: BLE001 - report and go on to the next driver
                failed.append(name)
                print(f"{name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        if failed:
            print(f"{PROG}: error: {len(failed)} driver(s) failed: {', '.join(failed)}", file=sys.stderr)
            return 1
        return 0
    except SimulationError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
