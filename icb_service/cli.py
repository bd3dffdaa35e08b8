"""`groupclinic-icb`: run the service and manage who may use it."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from icb_service.aggregates import DEFAULT_SUPPRESSION_THRESHOLD


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groupclinic-icb", description="The reference ICB monitoring service."
    )
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or a local SQLite file)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", dest="serve_db", help="database URL")
    serve.add_argument("--rate-per-minute", type=float, default=None,
                       help="requests a minute per token, shared by every worker; "
                            "0 = no limit (default)")
    serve.add_argument("--suppress-below", type=int, default=None,
                       help=f"suppress counts below this (default {DEFAULT_SUPPRESSION_THRESHOLD})")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes on the one port, each with its own summary drainer "
                            "and report warmer (default 1; about 2 a CPU for a busy ICB)")

    practice = commands.add_parser(
        "add-practice", help="register a practice (and its PCN and ICB); prints its token"
    )
    practice.add_argument("ods_code")
    practice.add_argument("--name", default="", help="the practice's name")
    practice.add_argument("--pcn", help="ODS code of its primary care network")
    practice.add_argument("--pcn-name", default="", help="the PCN's name")
    practice.add_argument("--icb", help="ODS code of its integrated care board")
    practice.add_argument("--icb-name", default="", help="the ICB's name")

    load = commands.add_parser(
        "load-organisations",
        help="load the register (practice -> PCN -> ICB) from a CSV file; all rows or none",
        description="Columns: practice_code, practice_name, pcn_code, pcn_name, icb_code, "
                    "icb_name (header row first; pcn_code and pcn_name may be empty). No "
                    "tokens are made: use add-practice or rotate-token for a practice's token.",
    )
    load.add_argument("csv_file")

    commands.add_parser(
        "rebuild-summaries",
        help="rebuild every summary table from the stored events and empty the summary queue "
             "(after a register change, or to check them)",
    )

    revoke = commands.add_parser(
        "revoke-token", help="stop every token of a practice at once (a lost or stolen laptop)"
    )
    revoke.add_argument("ods_code")

    rotate = commands.add_parser(
        "rotate-token", help="print a new token for a practice; its older tokens stop working"
    )
    rotate.add_argument("ods_code")

    analyst = commands.add_parser(
        "add-analyst", help="prints a token that reads every organisation (or one ICB's)"
    )
    analyst.add_argument("name")
    analyst.add_argument("--icb", help="limit the token to this ICB's organisations")

    aggregates = commands.add_parser("aggregates", help="print the aggregate figures as JSON")
    aggregates.add_argument("--practice")
    aggregates.add_argument("--programme")
    aggregates.add_argument("--suppress-below", type=int, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (ValueError, SQLAlchemyError, OSError) as error:
        # One line, no traceback: these are operator mistakes (bad URL, bad code, no database).
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"groupclinic-icb: {message}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    # Imported late so `--help` works even where a database driver is missing.
    from icb_service import accounts
    from icb_service.aggregates import build_report
    from icb_service.app import Settings
    from icb_service.db import open_database

    settings = Settings.from_env()
    url = getattr(args, "serve_db", None) or args.db or settings.database_url
    if getattr(args, "suppress_below", None) is not None:
        settings.suppression_threshold = args.suppress_below
    engine = open_database(url)

    if args.command == "serve":
        import uvicorn

        from icb_service.app import create_app

        if args.rate_per_minute is not None:
            settings.rate_per_minute = args.rate_per_minute
        if args.workers < 1:
            raise ValueError("--workers must be 1 or more")
        if args.workers > 1:
            # Each worker is a fresh process that builds its app from the environment: hand the
            # settings chosen here to them there. The migrations above have already run.
            engine.dispose()
            settings.database_url = url
            os.environ.update(settings.as_env())
            uvicorn.run("icb_service.app:worker_app", factory=True, workers=args.workers,
                        host=args.host, port=args.port)
            return 0
        app = create_app(settings, engine)
        # What exists now (the app, its routes and models) lives as long as the process: out of
        # the cycle collector's sight, its full passes no longer scan it (70 ms each, paid by
        # whichever read was running).
        gc.collect()
        gc.freeze()
        uvicorn.run(app, host=args.host, port=args.port)
    elif args.command == "add-practice":
        print(accounts.add_practice(engine, args.ods_code, args.name, pcn=args.pcn,
                                    pcn_name=args.pcn_name, icb=args.icb,
                                    icb_name=args.icb_name))
    elif args.command == "load-organisations":
        from pathlib import Path

        from icb_service.register import load_organisations

        loaded = load_organisations(engine, Path(args.csv_file))
        print(f"Loaded {loaded.practices} practice(s) in {loaded.pcns} PCN(s) and "
              f"{loaded.icbs} ICB(s).")
        if loaded.moved_with_events:
            print(f"{len(loaded.moved_with_events)} practice(s) with events changed PCN or "
                  f"ICB ({', '.join(loaded.moved_with_events[:10])}): run "
                  "`groupclinic-icb rebuild-summaries` so the figures follow them.")
    elif args.command == "rebuild-summaries":
        import time

        from icb_service.summaries import rebuild

        started = time.perf_counter()
        rebuild(engine)
        print(f"Summaries rebuilt in {time.perf_counter() - started:.1f} s.")
    elif args.command == "revoke-token":
        revoked = accounts.revoke_tokens(engine, args.ods_code)
        print(f"Revoked {revoked} token(s) of {args.ods_code.strip().upper()}.")
    elif args.command == "rotate-token":
        print(accounts.rotate_token(engine, args.ods_code))
    elif args.command == "add-analyst":
        print(accounts.add_analyst(engine, args.name, args.icb))
    elif args.command == "aggregates":
        report = build_report(engine, args.practice, args.programme,
                              settings.suppression_threshold)
        print(report.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
