"""``python -m benchmarks [NAME ...] [--quick]``: run benchmark modules and print ratios."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks
from benchmarks._harness import report

PROG = "python -m benchmarks"


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(available())})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name in available():
            doc = (importlib.import_module(f"benchmarks.{name}").__doc__ or "").strip().splitlines()
            print(f"{name:<12} {doc[0] if doc else ''}")
        return 0
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        print(f"{PROG}: error: unknown benchmark(s) {', '.join(unknown)}; valid: {', '.join(available())}",
              file=sys.stderr)
        return 2
    for name in args.names or available():
        module = importlib.import_module(f"benchmarks.{name}")
        report(name, module.run(quick=args.quick), quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
