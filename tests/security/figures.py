"""The figures docs/security.md quotes, computed from the tests themselves.

``tests/security/test_security_doc.py`` fails when the page and these figures differ; rewrite the
page's table with ``python -m tests.security.figures --write`` (it needs Django's settings:
``DJANGO_SETTINGS_MODULE=outsidein.settings PYTHONPATH=src``).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def _test_files() -> list[Path]:
    return [p for p in (ROOT / "tests").rglob("test_*.py") if "e2e" not in p.parts]


def _classes_based_on(base: str) -> int:
    count = 0
    for path in _test_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(b).split(".")[-1] == base for b in node.bases
            ):
                count += 1
    return count


def _tests_in(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(
        1 for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    )


def _fuzz_examples() -> int:
    text = (ROOT / "tests" / "api" / "test_schema_fuzz.py").read_text(encoding="utf-8")
    found = re.search(r"MAX_EXAMPLES\s*=\s*(?:int\([^,]+,\s*)?\"?(\d+)", text)
    return int(found.group(1)) if found else 0


def compute() -> list[tuple[str, int]]:
    from outsidein.api.api import api
    from tests.security import test_dates, test_exports, test_permissions, test_ratelimit
    from tests.security.cases import FORMULA_PAYLOADS, SSRF_REFUSED_URLS

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = sum(len(ops) for ops in schema["paths"].values())
    here = Path(__file__).resolve().parent
    ratelimit_cases = _tests_in(here / "test_ratelimit.py") + 2 * (len(test_ratelimit.STORES) - 1)
    exports_run = len(test_exports.EXPORTS) + 2  # + the customers job and the text CLI
    return [
        ("API operations in the OpenAPI schema", operations),
        ("Schemathesis examples per operation (fuzzing, default)", _fuzz_examples()),
        (
            "CRUD resources run through the shared contract (list, get, create, update, "
            "delete, 401, another organisation's object 404, a denied role 403)",
            _classes_based_on("CrudContract"),
        ),
        (
            "Query filters taking an id, each refused (422) with another organisation's id",
            len(test_permissions.QUERY_IDS),
        ),
        (
            "Permission tests (import, export, grants, email oracle, API docs)",
            _tests_in(here / "test_permissions.py"),
        ),
        ("SSRF: URLs refused, on save and at delivery", len(SSRF_REFUSED_URLS)),
        ("SSRF: host names resolving to refused addresses", 6),
        ("Formula payloads", len(FORMULA_PAYLOADS)),
        ("Exports run with every formula payload", exports_run),
        (
            "Rate-limit cases (windows, concurrency per store, proxies, logins, admin)",
            ratelimit_cases,
        ),
        ("Date inputs of the API refused outside 1900-2999", len(test_dates.API_CASES)),
    ]


def render() -> str:
    lines = ["| what the tests check | count |", "| --- | ---: |"]
    lines += [f"| {label} | {value:,} |" for label, value in compute()]
    return "\n".join(lines)


def in_doc() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{render()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    django.setup()
    if "--write" in sys.argv:
        write()
    print(render())
