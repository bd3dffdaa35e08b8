"""`python -m bench [--quick] [--json FILE]`: every benchmark, a table, and optionally JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import DEMO, TEN_YEARS, Context, Figure, make_demo_store, prepare_environment
from bench import scratch_folder as make_scratch

AREAS = ("startup", "phases", "save", "board", "export", "cohort", "sync", "memory")
# The ICB service at scale runs only when asked for (`--only icb`): it needs PostgreSQL and its
# full size loads about 20 million events once (cached in PostgreSQL).
EXTRA_AREAS = ("icb",)
QUICK_SCALE = 0.05  # a twentieth of the ten-year store, so --quick stays near a minute


def table(figures: list[Figure], memory: dict[str, Any] | None) -> str:
    lines = [f"{'benchmark':<64} {'store':<10} {'median':>9} {'min':>9} {'max':>9} "
             f"{'baseline':>9} {'ratio':>7}  budget"]
    for f in figures:
        base = f.baseline_median
        ok = "" if f.within_budget is None else (" ok" if f.within_budget else " MISSED")
        lines.append(
            f"{f.name[:64]:<64} {f.store or '':<10} {_ms(f.median):>9} {_ms(min(f.samples)):>9} "
            f"{_ms(max(f.samples)):>9} {_ms(base):>9} "
            f"{'' if f.ratio is None else f'{f.ratio:.2f}x':>7}  {f.budget or ''}{ok}"
        )
    if memory:
        lines.append(f"peak RSS whole session: demo {memory.get(DEMO)} MB, ten-years "
                     f"{memory.get(TEN_YEARS)} MB (budget {memory['budget_mb']} MB)")
    return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "-"
    return f"{seconds * 1000:.1f}ms" if seconds < 10 else f"{seconds:.1f}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="few repeats and a 1/20 ten-year store: a smoke run of every figure")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--only", nargs="*", choices=AREAS + EXTRA_AREAS,
                        help="run only these areas (icb only when named here)")
    parser.add_argument("--icb-practices", type=int, default=None,
                        help="icb: practices to generate (default 1,000; --quick 4)")
    parser.add_argument("--icb-years", type=int, default=None,
                        help="icb: years of events (default 10; --quick 2)")
    parser.add_argument("--icb-no-ingest", action="store_true",
                        help="icb: read latency and size only")
    parser.add_argument("--icb-endpoints", nargs="*", default=None,
                        help="icb: time only these read endpoints, e.g. /v1/monitoring")
    args = parser.parse_args(argv)
    areas = args.only or AREAS
    started = time.perf_counter()
    with make_scratch() as scratch:
        env = prepare_environment(scratch)
        from bench import tenyears

        say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
        ten: Path | None = None
        stores: dict[str, Path] = {}
        regulars: dict[str, Any] = {}
        if set(areas) - set(EXTRA_AREAS):  # the desktop's stores, for the desktop's areas
            ten = tenyears.cached_store(QUICK_SCALE if args.quick else 1.0, say=say)
            stores = {DEMO: make_demo_store(scratch / "demo-store"), TEN_YEARS: ten}
            regulars = {TEN_YEARS: tenyears.regulars(ten)}
        ctx = Context(quick=args.quick, scratch=scratch, stores=stores, say=say)
        figures: list[Figure] = []
        memory: dict[str, Any] | None = None
        icb_run: dict[str, Any] | None = None
        for area in areas:
            say(f"running {area} ...")
            t = time.perf_counter()
            if area == "icb":
                from bench import icb

                size = icb.QUICK if args.quick else icb.FULL
                size = icb.Size(args.icb_practices or size.practices,
                                args.icb_years or size.years)
                found, icb_run = icb.run(ctx, env, size, ingest=not args.icb_no_ingest,
                                         endpoints=args.icb_endpoints)
                figures += found
            elif area == "startup":
                from bench import startup

                figures += startup.run(ctx, env)
            elif area == "memory":
                from bench import memory as memory_bench

                memory = memory_bench.run(ctx, env, regulars)
            elif area in ("cohort",):
                from bench import cohort

                figures += cohort.run(ctx)
            elif area == "sync":
                from bench import sync

                figures += sync.run(ctx, env)
            else:
                module = __import__(f"bench.{area}", fromlist=["run"])
                figures += module.run(ctx, regulars)
            say(f"  {area} took {time.perf_counter() - t:.1f} s")
    load = os.getloadavg()
    print(table(figures, memory))
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"{'quick' if args.quick else 'full'} run took {time.perf_counter() - started:.0f} s")
    if args.json:
        rows: list[dict[str, Any]] = [f.as_json() for f in figures]
        if memory is not None:
            rows.append(memory)
        if icb_run is not None:
            rows.append(icb_run)
        rows.append({"name": "run", "quick": args.quick, "load_average": list(load),
                     "cpus": os.cpu_count(), "ten_year_store": None if ten is None else
                     json.loads((ten / "generated.json").read_text("utf-8"))})
        args.json.write_text(json.dumps(rows, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
