"""The `outsidein` command: a thin layer over Django's management commands."""

from __future__ import annotations

import argparse
import contextlib
import errno
import getpass
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsidein.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CliError(str(exc)) from None


def _require_database() -> None:
    """Before Django starts: stop when the SQLite database does not exist, creating nothing."""
    from django.apps import apps

    if apps.ready:
        # Called inside a process where Django already runs (the test suite, a management
        # command): its own connection is the database, whatever the data folder holds.
        return
    from outsidein.paths import data_dir, sqlite_file

    path = sqlite_file()
    if path is not None and not path.exists():
        where = (
            f"the data folder {data_dir()}"
            if path.parent == data_dir()
            else f"OUTSIDEIN_DATABASE_URL ({path})"
        )
        raise CliError(
            f"There is no outsidein database in {where}: run `outsidein migrate` to create one "
            "there, or set OUTSIDEIN_DATA_DIR to the folder that holds yours."
        )


def _check_database(*, migrated: bool = True) -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    settings = connection.settings_dict
    where = settings.get("HOST") or settings.get("NAME")
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CliError(
            f"Cannot reach the database at {where}: {first_line}\n"
            "Check OUTSIDEIN_DATABASE_URL and that the database server is running."
        ) from None
    if migrated and "django_migrations" not in connection.introspection.table_names():
        raise CliError(
            f"The database at {where} has no outsidein tables yet: run `outsidein migrate` "
            "first, or set OUTSIDEIN_DATA_DIR / OUTSIDEIN_DATABASE_URL to the database you use."
        )


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"Port {port} on {host} is already in use (is outsidein already running?). "
                    f"Stop the other program or choose another port with --port."
                ) from None
            raise CliError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    _check_database(migrated=False)
    call_command("migrate", interactive=False, verbosity=verbosity)


def _collect_static() -> None:
    """Production: collect the static files into the data folder when missing or stale."""
    from django.conf import settings

    from outsidein import deploy

    try:
        collected = deploy.ensure_static_files()
    except OSError as exc:
        raise CliError(
            f"Cannot write the static files into {settings.STATIC_ROOT}: {exc.strerror or exc}. "
            "OUTSIDEIN_DATA_DIR must be writable by the user that runs outsidein."
        ) from None
    if collected:
        print(f"Static files collected into {settings.STATIC_ROOT}.")


def _serve(
    host: str, port: int, workers: int, *, threads: int = 1, with_worker: bool = False
) -> None:
    _check_port_free(host, port)
    _check_database()
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CliError("The database is not up to date. Run `outsidein migrate` first.")
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "outsidein.wsgi:application",
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers",
        str(workers),
        # Threads (gthread) keep connections alive between requests and let a process answer
        # another request while one waits on the database.
        *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
        "--access-logfile",
        "-",
        # gunicorn believes X-Forwarded-Proto only from the proxies the operator trusts.
        "--forwarded-allow-ips",
        os.environ.get("OUTSIDEIN_FORWARDED_ALLOW_IPS", ",".join(settings.TRUSTED_PROXIES)),
    ]
    _collect_static()
    sys.stdout.flush()
    if not with_worker:
        os.execv(sys.executable, args)  # noqa: S606  (replaces this process with the server)
    # The demo runs the background worker beside the web server, so jobs finish on a laptop too.
    code = _run_together([args, [sys.executable, "-m", "outsidein.cli", "worker"]])
    if code:
        raise CliError(f"The web server stopped with exit code {code}.")


class _Stop(Exception):
    """SIGTERM or SIGHUP reached `outsidein demo`."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def _child_dies_with_parent() -> Any:
    """On Linux: a preexec function that has the kernel stop the child if we are killed (-9)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def _run_together(commands: list[list[str]], *, grace: float = 30.0) -> int:
    """Run the server and the worker side by side until one ends or we are told to stop (Ctrl+C,
    SIGTERM, SIGHUP); then stop both and wait for them, so no child is left serving the port.

    The children run in their own session, so a Ctrl+C in the terminal reaches only this process,
    which then sends each child one SIGTERM: gunicorn finishes the requests in progress, the
    worker its current job. Whoever is still running after `grace` seconds gets a second SIGTERM
    (the worker gives up its job), then SIGKILL. Returns the first command's exit code when it
    ended by itself, else 0."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    children: list[subprocess.Popen[bytes]] = []
    code = 0
    try:
        preexec = _child_dies_with_parent()
        for command in commands:
            children.append(
                subprocess.Popen(command, preexec_fn=preexec, start_new_session=True)  # noqa: S603
            )
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
        code = children[0].returncode or 0
    except (KeyboardInterrupt, _Stop):
        print("\nStopping the web server and the worker…", file=sys.stderr, flush=True)
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not cut the cleanup short
        for patience, last_resort in ((grace, False), (5.0, False), (5.0, True)):
            running = [child for child in children if child.poll() is None]
            for child in running:
                if last_resort:
                    child.kill()
                else:
                    child.terminate()
            deadline = time.monotonic() + patience
            for child in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def cmd_migrate(args: argparse.Namespace) -> None:
    _setup_django()
    _migrate()
    # Production serves hashed static files from the data folder: collect them now (and again
    # after an upgrade), so that no separate step can be forgotten.
    _collect_static()


def cmd_seed_demo(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.demo import seed_all

    report = seed_all(seed=args.seed)
    verb = "Created" if report.created else "Kept"
    print(f"{verb} the demo organisation:")
    for line in report.lines():
        print(f"  {line}")


class _ProgressBar:
    """A one-line progress bar on a terminal (``[#####     ]  40% practice``); elsewhere (a log,
    a pipe) one plain line per step."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.label = ""
        self.shown = 0

    def __call__(self, label: str, done: float, detail: str = "") -> None:
        percent = max(0, min(100, int(done * 100)))
        if self.tty:
            filled = int(self.WIDTH * percent / 100)
            text = f"[{'#' * filled}{' ' * (self.WIDTH - filled)}] {percent:3d}% {label}"
            text += f": {detail}" if detail else ""
            self.stream.write("\r" + text.ljust(self.shown))
            self.shown = len(text)
            self.stream.flush()
        elif label != self.label:
            self.stream.write(f"[{percent:3d}%] {label}\n")
            self.stream.flush()
        self.label = label

    def close(self) -> None:
        seconds = time.monotonic() - self.started
        self.stream.write(("\n" if self.tty else "") + f"Loaded in {seconds:.0f} s.\n")
        self.stream.flush()


def _print_demo_banner(host: str, port: int, logins: Sequence[object]) -> None:
    from outsidein.core.demo import DEMO_PASSWORD

    url_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
    print()
    print("=" * 64)
    print(f"  outsidein is starting on  http://{url_host}:{port}/")
    print()
    for login in logins:
        print(f"  {login.role:<9} {login.email:<34} password: {DEMO_PASSWORD}")  # type: ignore[attr-defined]
    print()
    print("  Stop with Ctrl+C.")
    print("=" * 64)
    print()


def cmd_demo(args: argparse.Namespace) -> None:
    _setup_django()
    _check_port_free(args.host, args.port)
    _migrate(verbosity=0)
    from outsidein.demo import seed_all

    print(
        "Loading the demo organisation (the first time takes a few minutes, most of it for the "
        "text analysis; later runs reuse it)…",
        flush=True,
    )
    progress = _ProgressBar(sys.stderr)
    report = seed_all(progress=progress)
    progress.close()
    print("Demo organisation ready:")
    for line in report.lines():
        print(f"  {line}")
    if args.no_serve:
        return
    _print_demo_banner(args.host, args.port, report.core.logins)
    # The demo's worker runs jobs, not the daily round: on a laptop that round would only print
    # a morning's reminder emails to the terminal. OUTSIDEIN_SCHEDULER=on brings it back.
    os.environ.setdefault("OUTSIDEIN_SCHEDULER", "off")
    _serve(args.host, args.port, args.workers, threads=args.threads, with_worker=True)


def cmd_serve(args: argparse.Namespace) -> None:
    _check_port_free(args.host, args.port)  # the plainer fault first
    _require_database()
    _setup_django()
    _serve(args.host, args.port, args.workers, threads=args.threads)


def cmd_worker(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.jobs.worker import run

    run(interval=args.interval, batch=args.batch)


def cmd_createadmin(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from django.core.exceptions import ValidationError

    from outsidein.core.services import create_administrator

    password = args.password or os.environ.get("OUTSIDEIN_ADMIN_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            raise CliError("Give a password with --password or OUTSIDEIN_ADMIN_PASSWORD.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CliError("The two passwords differ.")
    try:
        person = create_administrator(
            org_slug=args.org,
            org_name=args.org_name,
            name=args.name,
            email=args.email,
            password=password,
        )
    except ValidationError as exc:
        raise CliError(_validation_text(exc)) from None
    print(f"Administrator {person.email} can now log in to {person.organisation.name}.")


def _validation_text(exc: object) -> str:
    from django.core.exceptions import ValidationError

    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for e in errors for m in e.messages)}"
            for field, errors in exc.error_dict.items()
        )
    return " ".join(exc.messages)


def _organisation(slug: str) -> Any:
    from outsidein.core.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20]) or "none"
        raise CliError(f"No organisation with short name {slug!r} (known: {known}).")
    return organisation


def cmd_import(args: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    _setup_django()
    _check_database()
    from outsidein.voice.imports import ImportFileError, run_import
    from outsidein.voice.models import Survey

    organisation = _organisation(args.org)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"There is no file {path}.")
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(args.mapping)
        except json.JSONDecodeError as exc:
            raise CliError(f"--mapping is not valid JSON: {exc}") from None
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise CliError('--mapping must be an object of names, e.g. {"Score": "nps"}.')
    survey = None
    if args.survey is not None:
        survey = Survey.objects.filter(organisation=organisation, pk=args.survey).first()
        if survey is None:
            raise CliError(f"Organisation {args.org} has no survey {args.survey}.")
    try:
        report = run_import(
            organisation,  # type: ignore[arg-type]
            path.read_bytes(),
            filename=path.name,
            survey=survey,
            mapping=mapping,
            dry_run=args.dry_run,
            new_customers=not args.no_new_customers,
            match_email=args.match_email,
        )
    except ImportFileError as exc:
        raise CliError(f"{path.name}: {exc} Nothing was imported.") from None
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
        return
    verb = "would be imported" if args.dry_run else "imported"
    print(f"{path.name}: {report.rows} rows read")
    print(f"  accepted:         {report.accepted} ({verb})")
    print(f"  already imported: {report.already_imported}")
    print(f"  rejected:         {report.rejected}")
    created = "would be created" if args.dry_run else "created"
    print(f"  customers {created}: {report.customers_created}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    for error in report.errors[:50]:
        print(f"  - {error}")
    if report.rejected > 50:
        print(f"  … and {report.rejected - 50} more rejected rows (use --json for the first 1000)")
    if report.survey_id:
        print(f"  survey id: {report.survey_id}")


def cmd_metrics(args: argparse.Namespace) -> None:
    import json
    from datetime import date

    _setup_django()
    _check_database()
    from outsidein.analytics import services as metrics

    organisation = _organisation(args.org)

    def parse(value: str | None, name: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CliError(f"--{name} must be a date like 2026-01-31, not {value!r}.") from None

    filters = metrics.Filters(
        since=parse(args.since, "since"),
        until=parse(args.until, "until"),
        survey_id=args.survey,
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise CliError("--until lies before --since.")
    org_id = organisation.pk  # type: ignore[attr-defined]
    result: dict[str, object] = {
        "organisation": args.org,
        "filters": {"since": args.since, "until": args.until, "survey": args.survey},
        "overall": metrics.summary(org_id, filters).to_dict(),
    }
    if args.by in ("month", "week"):
        result["by"] = args.by
        result["groups"] = [
            {"key": p.start.isoformat(), "label": p.start.isoformat(), **p.summary.to_dict()}
            for p in metrics.trend(org_id, args.by, filters)
        ]
    elif args.by:
        result["by"] = args.by
        labels = metrics.dimension_labels(org_id, args.by)
        result["groups"] = metrics.iter_counts(
            metrics.breakdown(org_id, args.by, filters, labels=labels)
        )
    if args.compare:
        from outsidein.analytics.textout import comparisons

        try:
            result["comparison"] = comparisons(org_id, args.by, filters)
        except ValueError as error:
            raise CliError(str(error)) from None
    result["minimum_n"] = metrics.stats.MINIMUM_N
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return
    from outsidein.analytics import textout

    rows = [("overall", result["overall"])]
    rows += [(g["label"], g) for g in result.get("groups", [])]  # type: ignore[attr-defined]
    print(textout.summary_table(rows))  # type: ignore[arg-type]
    if args.compare:
        print()
        print(textout.compare_table(result["comparison"]))  # type: ignore[arg-type]


def cmd_remind(args: argparse.Namespace) -> None:
    """The daily round, for those who run it from cron (the worker runs it on schedule too;
    set OUTSIDEIN_SCHEDULER=off then). Every step records what it sent: running it twice in a
    day sends nothing twice."""
    _setup_django()
    _check_database()
    from outsidein.jobs.schedule import run_steps

    for line in run_steps():
        print(line)


def cmd_report(args: argparse.Namespace) -> None:
    from pathlib import Path

    _setup_django()
    _check_database()
    from django.utils import timezone

    from outsidein.centricity import report as reports

    organisation = _organisation(args.org)
    try:
        month = reports.parse_month(args.month)
    except ValueError as exc:
        raise CliError(f"--month: {exc}") from None
    if month > timezone.localdate().replace(day=1):
        raise CliError(f"--month {args.month} lies in the future.")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"--out: there is no folder {out.parent}.")
    language = args.language or organisation.language
    report = reports.build_report(organisation, month, language)
    if args.format == "pdf":
        import logging

        from outsidein.centricity.report_pdf import render_pdf

        if args.verbose:
            logging.getLogger("fontTools").setLevel(logging.INFO)
        out.write_bytes(render_pdf(report))
    else:
        out.write_text(reports.render_html(report), encoding="utf-8")
    print(f"{out}: the {args.format.upper()} report of {args.org} for {args.month} ({language}).")


def cmd_text(args: argparse.Namespace) -> None:
    needs_database = args.text_command == "train-themes" or bool(getattr(args, "org", None))
    if needs_database:
        _require_database()
    _setup_django()
    if needs_database:
        _check_database()
    from outsidein.text.cli import TextCliError, run

    try:
        run(args, _organisation)
    except TextCliError as exc:
        raise CliError(str(exc)) from None


def cmd_mail(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.mailin.cli import run

    run(args, _organisation, CliError)


def cmd_index(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.centricity.index_cli import run

    run(args, _organisation(args.org), CliError)


def cmd_norms(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.practice.cli import run

    run(args, _organisation(args.org), CliError)


def cmd_gdpr(args: argparse.Namespace) -> None:
    _setup_django()
    _check_database()
    from outsidein.privacy.cli import run

    org = getattr(args, "org", None)
    run(args, _organisation(org) if org else None, CliError)


def cmd_backup(args: argparse.Namespace) -> None:
    import sqlite3
    from pathlib import Path

    _setup_django()
    _check_database()
    from django.db import connection

    from outsidein.deploy import backup_sqlite

    if connection.vendor != "sqlite":
        raise CliError(
            "The database is PostgreSQL: back it up with pg_dump, e.g. "
            "`pg_dump --format=custom --file=outsidein.dump DATABASE_URL` "
            "(see docs/deployment.md)."
        )
    out = Path(args.out)
    if out.exists():
        raise CliError(f"--out: {out} already exists; choose a new name or remove it first.")
    if not out.parent.is_dir():
        raise CliError(f"--out: there is no folder {out.parent}.")
    source = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    try:
        size = backup_sqlite(source, out)
    except (sqlite3.Error, RuntimeError) as exc:
        raise CliError(f"The backup failed: {exc}") from None
    print(f"{out}: a copy of {source} ({size / 1_000_000:.1f} MB), checked by SQLite.")


def cmd_check_deploy(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from outsidein.deploy import run_checks

    print(
        f"Checking the configuration (OUTSIDEIN_ENV={settings.ENVIRONMENT}, data folder "
        f"{settings.DATA_DIR}):"
    )
    checks = run_checks()
    for check in checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    failed = sum(not check.ok for check in checks)
    print()
    if failed:
        print(f"{failed} of {len(checks)} checks failed: fix them before serving customers.")
        return 1
    print(f"All {len(checks)} checks passed.")
    return 0


def cmd_manage(args: argparse.Namespace) -> None:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["outsidein manage", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outsidein",
        description=(
            "outsidein: hear the customer, practise the customer-centric norms, and measure "
            "the gap. Settings come from OUTSIDEIN_* environment variables (see .env.example)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)"
        )
        p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
        p.add_argument(
            "--workers", type=int, default=2, help="server processes (default %(default)s)"
        )
        p.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("OUTSIDEIN_SERVER_THREADS", "2")),
            help="threads per server process (default %(default)s; 1: gunicorn's sync worker)",
        )

    p = sub.add_parser(
        "demo", help="migrate, load the demo organisation and serve it (one command)"
    )
    server_options(p)
    p.add_argument(
        "--no-serve", action="store_true", help="prepare the demo but do not start the server"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the production web server (gunicorn)")
    server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "worker",
        help=(
            "run a background worker (database or Redis queue, per OUTSIDEIN_TASKS_BACKEND); "
            "it also runs the daily round on schedule"
        ),
    )
    p.add_argument(
        "--interval", type=float, default=1.0, help="seconds between polls (default %(default)s)"
    )
    p.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("createadmin", help="create an organisation's first administrator")
    p.add_argument("--org", required=True, help="organisation short name (slug); created if new")
    p.add_argument("--org-name", help="organisation display name (for a new organisation)")
    p.add_argument("--email", required=True, help="the administrator's email address (their login)")
    p.add_argument("--name", default="", help="the administrator's full name")
    p.add_argument("--password", help="password (else OUTSIDEIN_ADMIN_PASSWORD, else asked)")
    p.set_defaults(func=cmd_createadmin)

    p = sub.add_parser("seed-demo", help="load the demo organisation (idempotent)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default %(default)s)")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser(
        "import", help="import responses, complaints or reviews from a CSV or XLSX file"
    )
    p.add_argument("file", help="the CSV or XLSX file")
    p.add_argument("--org", required=True, help="organisation short name (slug)")
    p.add_argument("--survey", type=int, help="survey id for the responses (default: a new one)")
    p.add_argument(
        "--mapping",
        help='JSON object from the file\'s column names to ours, e.g. \'{"Score": "nps"}\'',
    )
    p.add_argument("--dry-run", action="store_true", help="check the file, import nothing")
    p.add_argument(
        "--match-email",
        action="store_true",
        help="an unknown customer number whose email address a customer has is that customer",
    )
    p.add_argument(
        "--no-new-customers",
        action="store_true",
        help="reject rows with an unknown customer number (default: create the customer)",
    )
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("metrics", help="NPS, CSAT and CES with n and 95%% intervals")
    p.add_argument("--org", required=True, help="organisation short name (slug)")
    p.add_argument("--survey", type=int, help="only this survey")
    p.add_argument("--since", help="first day, YYYY-MM-DD")
    p.add_argument("--until", help="last day (inclusive), YYYY-MM-DD")
    p.add_argument(
        "--by",
        choices=["segment", "team", "survey", "channel", "language", "month", "week"],
        help="break down by a dimension or per month/week",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="test the differences: every two groups of --by (Holm-corrected), or without "
        "--by this period (default: the last complete month) against the one before it",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser(
        "remind",
        help=(
            "the daily round (run from cron): survey reminders, deadline alerts, "
            "contact reminders, mystery shops"
        ),
    )
    p.set_defaults(func=cmd_remind)

    p = sub.add_parser("report", help="the monthly leadership report as a PDF or HTML file")
    p.add_argument("--org", required=True, help="organisation short name (slug)")
    p.add_argument("--month", required=True, help="the month, YYYY-MM")
    p.add_argument("--format", choices=["pdf", "html"], default="pdf", help="default %(default)s")
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--language", choices=["nl", "en"], help="default: the organisation's language")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show the PDF library's log (font subsetting)"
    )
    p.set_defaults(func=cmd_report)

    from outsidein.text.cli import add_parser as add_text_parser

    add_text_parser(sub, cmd_text)

    from outsidein.centricity.index_cli import add_parser as add_index_parser

    add_index_parser(sub, cmd_index)

    from outsidein.practice.cli import add_parser as add_norms_parser

    add_norms_parser(sub, cmd_norms)

    from outsidein.privacy.cli import add_parser as add_gdpr_parser

    add_gdpr_parser(sub, cmd_gdpr)

    from outsidein.mailin.cli import add_parser as add_mail_parser

    add_mail_parser(sub, cmd_mail)

    p = sub.add_parser(
        "backup", help="copy the SQLite database, consistently, while it runs (SQLite's backup API)"
    )
    p.add_argument("--out", required=True, help="the file to write (must not exist yet)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "check-deploy",
        help="check a production configuration: secrets, hosts, database, static files, "
        "cache, queue, email",
    )
    p.set_defaults(func=cmd_check_deploy)

    p = sub.add_parser("manage", help="run any Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


# Commands that work on an existing database. They check for it before Django starts, so a wrong
# folder gives one sentence (and no new, empty database) instead of a traceback.
NEEDS_DATABASE = {
    "worker",
    "createadmin",
    "seed-demo",
    "import",
    "metrics",
    "index",
    "norms",
    "gdpr",
    "mail",
    "remind",
    "report",
    "backup",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in NEEDS_DATABASE:
            _require_database()
        code = args.func(args)
        if isinstance(code, int) and code:
            return code
    except CliError as exc:
        print(f"outsidein: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
