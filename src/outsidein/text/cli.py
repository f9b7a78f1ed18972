"""``outsidein text analyse`` and ``outsidein text train-themes``: the work behind the CLI."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

from outsidein.core.spreadsheets import SafeDictWriter


class TextCliError(Exception):
    """A problem the user can fix (a missing file or column)."""


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise TextCliError(f"There is no file {path}.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    sample = text[:5000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    # Comments of up to 100 KB and more; the limit is process-wide, so it is put back after.
    previous = csv.field_size_limit(10_000_000)
    try:
        rows = list(reader)
    finally:
        csv.field_size_limit(previous)
    return list(reader.fieldnames or []), rows


def analyse_file(
    path: Path, *, text_column: str, organisation_id: int | None, out: Path | None
) -> int:
    """Write the rows back with ``language, sentiment, sentiment_score, themes`` added."""
    from outsidein.text.engine.analyser import Analyser

    columns, rows = _read(path)
    if text_column not in columns:
        raise TextCliError(
            f"{path.name} has no column {text_column!r}; its columns are: {', '.join(columns)}."
        )
    if organisation_id is None:
        analyser = Analyser.builtin()
    else:
        from outsidein.text.services import analyser_for

        analyser = analyser_for(organisation_id)
    added = ["language", "sentiment", "sentiment_score", "themes"]
    handle = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        writer = SafeDictWriter(handle, fieldnames=columns + [c for c in added if c not in columns])
        writer.writeheader()
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            for row, result in zip(
                chunk, analyser.analyse([row.get(text_column) or "" for row in chunk]), strict=True
            ):
                analysed: dict[str, Any] = {
                    **row,
                    "language": result.language,
                    "sentiment": result.sentiment,
                    # a number, so a spreadsheet reads -0.544 as one (a text starting with
                    # "-" is neutralised as a possible formula); none without a sentiment
                    "sentiment_score": round(result.score, 3) if result.sentiment else "",
                    "themes": "|".join(result.themes),
                }
                writer.writerow(analysed)
    finally:
        if out:
            handle.close()
    return len(rows)


def train_themes_file(path: Path, organisation: Any) -> dict[str, Any]:
    from outsidein.text import services

    columns, rows = _read(path)
    missing = [name for name in ("text", "themes") if name not in columns]
    if missing:
        raise TextCliError(
            f"{path.name} needs the columns text and themes; missing: {', '.join(missing)}."
        )
    added = services.add_theme_examples(
        organisation,
        [((row.get("text") or ""), (row.get("themes") or "").split("|")) for row in rows],
    )
    trained = services.train_theme_model(organisation)
    return {**added, **trained}


def discover(organisation: Any, *, days: int, uncovered: bool = False, out: Any = None) -> int:
    """Run theme discovery now (not as a job) and print the candidates it proposed."""
    from django.core.exceptions import ValidationError

    from outsidein.text import discovery
    from outsidein.voice.models import Feedback

    out = out or sys.stdout
    try:
        summary: dict[str, Any] = {}
        found = discovery.discover_themes(
            organisation, days=days, exclude_covered=uncovered, summary=summary
        )
    except ValidationError as exc:
        raise TextCliError(" ".join(exc.messages)) from None
    texts = dict(
        Feedback.objects.filter(
            organisation=organisation, pk__in=[pk for item in found for pk in item.examples]
        ).values_list("pk", "comment")
    )
    print(
        f"{organisation.slug}: {len(found)} candidate themes in the comments of the last "
        f"{days} days, clustered on {discovery.space_text(summary.get('space', ''))}",
        file=out,
    )
    for item in found:
        print(f"\n{item.label}  ({item.size} comments)", file=out)
        for language, phrases in sorted(item.phrases.items()):
            print(f"  {language}: {', '.join(phrases[:6])}", file=out)
        for pk in item.examples[:3]:
            print(f"  “{(texts.get(pk) or '')[:120]}”", file=out)
    return len(found)


def models(organisation: Any | None, out: Any = None) -> None:
    """Which engine analyses the comments, and the organisation's trained models."""
    from outsidein.text.engine import embeddings, prior

    out = out or sys.stdout
    print(embeddings.describe(), file=out)
    shipped = prior.load() if embeddings.available() else None
    if shipped is not None:
        print(
            f"Out-of-the-box sentiment: prototypes in the encoder's space + rules "
            f"(prototypes {shipped.source})",
            file=out,
        )
    else:
        print("Out-of-the-box sentiment: lexicon + rules", file=out)
    if organisation is None:
        return
    from outsidein.text.models import TextModel

    stored = TextModel.objects.filter(organisation=organisation).order_by("kind", "language")
    if not stored:
        print(f"{organisation.slug}: no trained models yet", file=out)
    for model in stored:
        figures = ", ".join(
            f"{k} {v}" for k, v in model.metrics.items() if k in {"macro_f1", "micro_f1"}
        )
        print(
            f"{organisation.slug}: {model.kind} {model.language or 'all'} v{model.version}, "
            f"{model.examples} examples{', ' + figures if figures else ''}",
            file=out,
        )


def run(args: Any, organisation_lookup: Any) -> None:
    if args.text_command == "models":
        models(organisation_lookup(args.org) if args.org else None)
        return
    if args.text_command == "discover":
        discover(organisation_lookup(args.org), days=args.days, uncovered=args.uncovered)
        return
    path = Path(args.file)
    if args.text_command == "analyse":
        organisation_id = organisation_lookup(args.org).pk if args.org else None
        count = analyse_file(
            path,
            text_column=args.text_column,
            organisation_id=organisation_id,
            out=Path(args.out) if args.out else None,
        )
        if args.out:
            print(f"{path.name}: {count} rows analysed, written to {args.out}")
    else:
        result = train_themes_file(path, organisation_lookup(args.org))
        print(
            f"{path.name}: {result['examples']} examples, {result['new_themes']} new themes; "
            + (
                f"model trained (micro-F1 on held-out examples: {result.get('micro_f1', '–')})"
                if result.get("trained")
                else "too few examples to train a model yet"
            )
        )


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser("text", help="text analytics: language, sentiment and themes of comments")
    text_sub = p.add_subparsers(dest="text_command", metavar="TEXT_COMMAND", required=True)
    q = text_sub.add_parser(
        "analyse", help="add language, sentiment, sentiment_score and themes to a CSV file"
    )
    q.add_argument("file", help="the CSV file")
    q.add_argument("--text-column", required=True, help="the column with the comments")
    q.add_argument("--org", help="organisation short name: use its themes and trained models")
    q.add_argument("--out", help="write here (default: standard output)")
    q.set_defaults(func=handler)
    q = text_sub.add_parser(
        "train-themes", help="learn themes from a CSV with columns text and themes (|-joined)"
    )
    q.add_argument("file", help="the CSV file")
    q.add_argument("--org", required=True, help="organisation short name (slug)")
    q.set_defaults(func=handler)
    q = text_sub.add_parser(
        "models",
        help="which engine analyses the comments (sentence encoder or not) and the "
        "organisation's trained models",
    )
    q.add_argument("--org", help="organisation short name: also list its trained models")
    q.set_defaults(func=handler)
    q = text_sub.add_parser(
        "discover",
        help="cluster recent comments into candidate themes (replaces untouched candidates)",
    )
    q.add_argument("--org", required=True, help="organisation short name (slug)")
    q.add_argument(
        "--days", type=int, default=90, help="comments of the last DAYS days (default 90)"
    )
    q.add_argument(
        "--uncovered",
        action="store_true",
        help="only comments that no accepted theme covers yet",
    )
    q.set_defaults(func=handler)
