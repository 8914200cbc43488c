"""Measure every list page and API list of every role against a province-scale database (issue 15).

    .venv/bin/python benchmarks/pages.py --scale 0.25            # generates zhengxie_province_s025 if absent
    .venv/bin/python benchmarks/pages.py --scale 0.25 --explain  # plus EXPLAIN ANALYZE of each list's query

Starts the app with gunicorn (production settings, 2 workers, a free port) on the province database, signs
in as each role (bench_staff, bench_leader, bench_member, bench_dept: a session for pages, a token for the
API) and measures, in one run: the floor (the login page and /api/v1/me/, sampled between the targets so it
sees the same load) and every page and API list a role can open — discovered from the URL confs (every
GET route without parameters that answers 200 for the role) — plus its deep page (the middle page, or
cursor `next` links followed), common filters (state, year, term, overdue, department) and search (a word
and an exact proposal number) where the list uses them (its SQL changes). Each target: a warm-up, then
--requests sequential requests (fewer if it is slow: --budget seconds per target); p50/p95, the ratio of
p95 to the floor's p95, the HTTP status (a non-200 is an error row) and the SQL query count (counted
in-process with Django's test client against the same database, not timed). The table is printed, written
to benchmarks/results/pages-<scale>-<date>.txt (and --copy-to), and the last line is
`worst p95 ratio: X (page)`. gunicorn is stopped on exit, Ctrl-C or error.
"""

import argparse
import atexit
import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import KNOWN_USERS, PASSWORD  # noqa: E402

ROLES = ["staff", "leader", "member", "department"]
# Routes that are not pages to measure: forms that change things, exports, files, sign-out, the docs.
EXCLUDE = re.compile(
    r"(^|/)(new|create|edit|enter|report|remind|scan|read-all|preferences|logout|password|bulk|"
    r"register-bulk|assign-bulk|similar-hint|holidays)(/|$)|\.(xlsx|docx|csv|pdf|zip)$|^admin/|^api/(schema|docs)|"
    r"export|auth/|\(\?P<format>|download|logout|upload|import"
)
FLOOR = [("anon", "page", "/accounts/login/"), ("staff", "api", "/api/v1/me/")]
FLOOR_SET = set(FLOOR)
SEARCH_WORD = "养老"
TIMEOUT = 90


# --- discovery ---------------------------------------------------------------------------------------------


def _route_text(pattern) -> str | None:
    """A URL pattern's literal text, or None if it takes parameters."""
    from django.urls.resolvers import RegexPattern, RoutePattern

    if isinstance(pattern, RoutePattern):
        text = str(pattern)
        return None if "<" in text else text
    if isinstance(pattern, RegexPattern):
        text = pattern._regex
        text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
        if re.search(r"[()\[\]?*+{}|\\]", text.replace("\\.", "")):
            return None
        return text.replace("\\.", ".")
    return None


def discover_urls() -> list[str]:
    """Every parameterless GET route of the URL confs that may be a page or a list (not a form or file)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            text = _route_text(p.pattern)
            if text is None:
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text)
            elif isinstance(p, URLPattern):
                path = prefix + text
                if not EXCLUDE.search(path):
                    found.append("/" + path)

    walk(get_resolver().url_patterns, "")
    seen, out = set(), []
    for path in found:
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


# Filters tried on a list where it declares them (API schema / the page's form), kept only where they answer
# 200 and change the list's SQL; of each group the first value that does. {term} etc. are filled in.
FILTERS = [
    (
        "state",
        ["in_progress", "submitted", "pending", "accepted", "adopted", "open", "held", "confirmed", "closed"],
    ),
    ("year", ["{year}"]),
    ("term", ["{term}"]),
    ("overdue", ["true"]),
    ("department", ["{department}"]),
    ("q", [SEARCH_WORD]),
    ("q", ["{number}"]),
]


# --- in-process: query counts, variants, EXPLAIN ------------------------------------------------------------


class InProcess:
    """Django's test client on the same database: which routes each role may open, their query counts."""

    def __init__(self):
        import logging

        from django.test import Client

        from zhengxie.accounts.models import User

        logging.getLogger("django.request").setLevel(logging.ERROR)  # 401/403/404 while discovering
        self.clients = {"anon": Client(raise_request_exception=False)}
        self.tokens = {}
        for role in ROLES:
            user = User.objects.get(username=KNOWN_USERS[role])
            client = Client(raise_request_exception=False)
            client.force_login(user)
            self.clients[role] = client
            api = Client()
            response = api.post(
                "/api/v1/auth/token/",
                data=json.dumps({"username": user.username, "password": PASSWORD}),
                content_type="application/json",
            )
            token = response.json().get("token") if response.status_code in (200, 201) else None
            self.tokens[role] = token

    def get(self, role, kind, url):
        client = self.clients[role]
        if kind == "api" and role != "anon":
            return client.get(url, HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client.get(url)

    def queries(self, role, kind, url, warm=True):
        """(status, number of queries, the queries) of one request, after a warm-up one."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if warm:
            self.get(role, kind, url)
        with CaptureQueriesContext(connection) as ctx:
            response = self.get(role, kind, url)
        return response, len(ctx.captured_queries), list(ctx.captured_queries)


def reference_values() -> dict:
    from django.utils import timezone

    from members.models import Term
    from proposals.models import Proposal
    from zhengxie.accounts.models import User

    term = Term.objects.filter(is_current=True).first()
    number = (
        Proposal.objects.exclude(number="")
        .filter(term=term)
        .order_by("-id")
        .values_list("number", flat=True)
        .first()
    )
    dept = User.objects.get(username=KNOWN_USERS["department"]).department_id
    return {
        "year": timezone.localdate().year,
        "term": term.pk if term else "",
        "number": number or "",
        "department": dept,
    }


def build_targets(proc: InProcess, refs: dict, log, roles=ROLES, routes_re: str | None = None) -> list[dict]:
    """Every (role, kind, url) to measure, with its query count from the in-process client. A route anyone
    may open (the public list, the floor) is measured once, as `anon`."""
    targets = []
    api_params = api_query_params()
    routes = discover_urls()
    log(f"discovered {len(routes)} parameterless GET routes")
    if routes_re:
        routes = [r for r in routes if re.search(routes_re, r)]
        log(f"  {len(routes)} of them match --routes {routes_re}")
    public = set()
    for role in ["anon", *roles]:
        for path in routes:
            kind = "api" if path.startswith("/api/") else "page"
            if path in public or (role, kind, path) in FLOOR_SET:
                continue
            try:
                response, n, captured = proc.queries(role, kind, path)
            except Exception as exc:  # a GET that crashes in-process: measured (it will show its status)
                targets.append(
                    {"role": role, "kind": kind, "url": path, "queries": None, "note": repr(exc)[:80]}
                )
                continue
            if response.status_code >= 500:  # a crash: an error row
                targets.append({"role": role, "kind": kind, "url": path, "queries": n, "sql": captured})
                continue
            if response.status_code != 200:
                continue  # not this role's page (403/404/redirect) or not a GET page (405)
            ctype = response.get("Content-Type", "")
            if "html" not in ctype and "json" not in ctype:
                continue
            if role == "anon":
                public.add(path)
            targets.append({"role": role, "kind": kind, "url": path, "queries": n, "sql": captured})
            deep = deep_url(proc, role, kind, path, response)
            if deep:
                r, n2, cap = proc.queries(role, kind, deep)
                if r.status_code == 200:
                    targets.append({"role": role, "kind": kind, "url": deep, "queries": n2, "sql": cap})
            base_sql = [q["sql"] for q in captured]
            declared = api_params.get(path, set()) if kind == "api" else _form_fields(response)
            for key, values in FILTERS:
                if key not in declared:
                    continue
                for value in values:
                    value = value.format(**refs)
                    if not value:
                        continue
                    url = f"{path}?{urlencode({key: value})}"
                    try:
                        r, n2, cap = proc.queries(role, kind, url, warm=False)
                    except Exception:
                        continue
                    if r.status_code >= 500:  # the filter crashes the list: an error row
                        targets.append({"role": role, "kind": kind, "url": url, "queries": n2, "sql": cap})
                        break
                    if r.status_code != 200 or [q["sql"] for q in cap] == base_sql:
                        continue  # not a value this list takes, or it ignores the filter
                    targets.append({"role": role, "kind": kind, "url": url, "queries": n2, "sql": cap})
                    break
        log(f"  {role}: {sum(1 for t in targets if t['role'] == role)} targets")
    return targets


def deep_url(proc, role, kind, path, response) -> str | None:
    """A deep page of this list: the middle page of a numbered list, or (keyset/cursor lists) the page
    reached by following `next` links 20 times; None when the list has one page."""
    if kind == "api":
        data = _json(response)
        if not isinstance(data, dict) or not data.get("next"):
            return None
        query = urlsplit(data["next"]).query
        if "page=" in query and data.get("count"):
            size = len(data.get("results") or []) or 20
            return f"{path}?page={max(2, math.ceil(data['count'] / size) // 2)}"
        url = None
        for _ in range(20):
            if not data.get("next"):
                break
            parts = urlsplit(data["next"])
            url = f"{parts.path}?{parts.query}"
            data = _json(proc.get(role, kind, url)) or {}
        return url
    html = response.content.decode("utf-8", "replace")
    pages = [int(n) for n in re.findall(r"[?&;]page=(\d+)", html)]
    if pages and max(pages) >= 2:
        return f"{path}?page={max(2, max(pages) // 2)}"
    url = None
    for _ in range(20):
        match = re.search(r'href="(\?[^"]*\b(?:after|before|cursor)=[^"]*)"', html)
        if not match:
            break
        url = path + match[1].replace("&amp;", "&")
        html = proc.get(role, kind, url).content.decode("utf-8", "replace")
    return url


def _json(response):
    try:
        return response.json()
    except Exception:
        return None


def _form_fields(response) -> set[str]:
    """The names of a page's GET form fields (its filters)."""
    html = response.content.decode("utf-8", "replace")
    return set(re.findall(r'<(?:input|select)[^>]*\bname="([a-z_]+)"', html))


def api_query_params() -> dict[str, set[str]]:
    """The query parameters each API path declares in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
    except Exception:
        return {}
    out = {}
    for path, ops in (schema.get("paths") or {}).items():
        get = ops.get("get") or {}
        out[path] = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
    return out


def explain(targets, log, limit=40) -> None:
    """EXPLAIN ANALYZE of the lists' slowest queries (as the in-process client ran them), slowest first."""
    from django.db import connection

    picked = []
    for t in targets:
        selects = [q for q in t.get("sql") or [] if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
        if selects:
            q = max(selects, key=lambda q: float(q.get("time") or 0))
            picked.append((float(q.get("time") or 0), t, q["sql"]))
    picked.sort(key=lambda x: -x[0])
    log(f"\nEXPLAIN ANALYZE of the {limit} slowest list queries (each target's slowest, in-process capture):")
    seen = set()
    for seconds, t, sql in picked:
        if sql in seen or len(seen) >= limit:
            continue
        seen.add(sql)
        log(f"\n-- {t['role']} {t['url']} ({seconds * 1000:.0f} ms in-process)")
        log(sql[:800] + (" …" if len(sql) > 800 else ""))
        try:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
                for (line,) in cur.fetchall():
                    log("   " + line)
        except Exception as exc:
            log(f"   (cannot explain: {exc})")


def update_readme(lines_table: list[str]) -> None:
    """Replace README's block between the bench markers with this run's summary."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    block = "\n".join(lines_table)
    readme.write_text(f"{head}{start}\n{block}\n{end}{tail}", encoding="utf-8")


# --- gunicorn and the timed client --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    def __init__(self, db_url: str, workers: int = 2):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "DJANGO_SETTINGS_MODULE": "zhengxie.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_DOTENV": "",
            "DJANGO_STATIC_ROOT": os.environ.get("DJANGO_STATIC_ROOT", "/tmp/zhengxie_bench_static"),
        }
        # The workers share their remembered figures in Redis, as deployed (README), when one answers.
        shared = os.environ.get("FIGURES_CACHE_URL") or (
            "redis://127.0.0.1:6379/6" if redis_answers("127.0.0.1", 6379) else ""
        )
        if shared:
            self.env["FIGURES_CACHE_URL"] = shared
        self.figures_cache = shared or "each worker's memory"
        self.workers = workers
        self.proc = None

    def start(self):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "zhengxie.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(TIMEOUT),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("gunicorn exited at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None


class Committer:
    """Commits a transaction that took an id (`SELECT txid_current()`): every later snapshot differs, as after
    any write of a busy day (a reply saved, a notice read), so nothing remembered under the old one is read."""

    def __init__(self, db_url: str):
        import psycopg2

        self.connection = psycopg2.connect(db_url)
        self.connection.autocommit = True

    def __call__(self):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")


class Session:
    """A client of the gunicorn server: cookies for pages, a token for the API."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.token = None

    def request(self, method, url, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT + 10)
        h = {"Host": "127.0.0.1"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn.request(method, url, body=body, headers=h)
        response = conn.getresponse()
        data = response.read()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data

    def login(self, username):
        status, body = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not match:
            raise SystemExit(f"no CSRF token on the login page (status {status})")
        form = urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match[1].decode()}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        if status != 302:
            raise SystemExit(f"login of {username} answered {status}")
        status, body = self.request(
            "POST",
            "/api/v1/auth/token/",
            json.dumps({"username": username, "password": PASSWORD}),
            {"Content-Type": "application/json"},
        )
        self.token = json.loads(body).get("token") if status in (200, 201) else None

    def get(self, kind, url):
        headers = {"Authorization": f"Token {self.token}"} if kind == "api" and self.token else {}
        cookies = self.cookies
        if kind == "api":
            self.cookies = {}  # the API by token alone
        try:
            t0 = time.perf_counter()
            status, body = self.request("GET", url, headers=headers)
            return status, time.perf_counter() - t0, len(body)
        finally:
            if kind == "api":
                self.cookies = cookies


def pct(samples, p):
    s = sorted(samples)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- main -------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument(
        "--requests", type=int, default=15, help="timed requests per target (after a warm-up)"
    )
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per target before it stops early (≥3 requests)"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each list's slowest query")
    parser.add_argument("--only", help="measure only targets whose URL contains this text")
    parser.add_argument(
        "--routes", help="discover and measure only the routes whose path matches this regular expression"
    )
    parser.add_argument("--copy-to", help="also write the table to this file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--busy",
        action="store_true",
        help="commit a transaction before every timed request, as a busy committee's database does: no "
        "remembered figure outlives it, so every count, id list and ranking is computed afresh",
    )
    parser.add_argument("--readme", action="store_true", help="put this run's summary into README.md")
    parser.add_argument("--readme-from", help="only put the summary of this results file into README.md")
    args = parser.parse_args()
    if args.readme_from:
        update_readme(readme_from_file(Path(args.readme_from)))
        return

    # Production settings in-process too (the query counts are the server's).
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "zhengxie.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_DOTENV": "",
        }
    )
    os.environ.setdefault("DJANGO_STATIC_ROOT", "/tmp/zhengxie_bench_static")
    from benchmarks import province

    db_url = province.run(args.scale)  # generates if absent; migrates (a branch's new migrations) if reused
    from django.conf import settings

    # The in-process client does not need the collected static manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    lines = []

    def log(text=""):
        print(text, flush=True)
        lines.append(text)

    server = Server(db_url, args.workers)
    atexit.register(server.stop)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (server.stop(), sys.exit(130)))

    started = time.time()
    proc = InProcess()
    refs = reference_values()
    targets = build_targets(proc, refs, log, routes_re=args.routes)
    if args.only:
        targets = [t for t in targets if args.only in t["url"]]
    server.start()
    sessions = {"anon": Session(server.port)}
    for role in ROLES:
        sessions[role] = Session(server.port)
        sessions[role].login(KNOWN_USERS[role])

    floor_samples = []

    def floor_tick():
        for role, kind, url in FLOOR:
            status, dt, _ = sessions[role].get(kind, url)
            if status == 200:
                floor_samples.append(dt)

    for _ in range(5):
        floor_tick()
    floor_samples.clear()
    for _ in range(10):
        floor_tick()
    commit = Committer(db_url) if args.busy else (lambda: None)
    rows = []
    for i, t in enumerate(targets, 1):
        s = sessions[t["role"]]
        samples, statuses, size = [], set(), 0
        status, _, size = s.get(t["kind"], t["url"])  # warm-up
        statuses.add(status)
        t0 = time.perf_counter()
        for n in range(args.requests):
            commit()  # not timed
            status, dt, size = s.get(t["kind"], t["url"])
            statuses.add(status)
            samples.append(dt)
            if status != 200 or (n >= 2 and time.perf_counter() - t0 > args.budget):
                break
        floor_tick()
        row = {
            **t,
            "n": len(samples),
            "p50": pct(samples, 50),
            "p95": pct(samples, 95),
            "status": ",".join(str(x) for x in sorted(statuses)),
            "kb": size / 1024,
        }
        rows.append(row)
        print(
            f"  [{i}/{len(targets)}] {t['role']:<10} {t['url']:<60} {row['p95'] * 1000:8.0f} ms  {row['status']}",
            flush=True,
        )
    floor = pct(floor_samples, 95)
    floor50 = pct(floor_samples, 50)
    for r in rows:
        r["ratio"] = r["p95"] / floor if floor else float("nan")

    log("")
    log(
        f"pages.py — scale {args.scale:g} ({db_url.rsplit('/', 1)[1]}), {datetime.now():%Y-%m-%d %H:%M}, "
        f"commit {git_head()}, gunicorn {args.workers} workers, {os.cpu_count()} CPUs (shared), "
        f"{args.requests} requests per target (budget {args.budget:g} s), figures cache: {server.figures_cache}"
        + (", busy: a commit before every timed request" if args.busy else "")
    )
    log(
        f"floor (login page + /api/v1/me/, {len(floor_samples)} samples between the targets): "
        f"p50 {floor50 * 1000:.0f} ms, p95 {floor * 1000:.0f} ms"
    )
    log("")
    header = f"{'role':<10} {'kind':<4} {'url':<70} {'status':>7} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'queries':>7} {'KB':>7}"
    log(header)
    log("-" * len(header))
    for r in rows:
        q = "-" if r.get("queries") is None else str(r["queries"])
        err = "" if r["status"] == "200" else "  ERROR"
        log(
            f"{r['role']:<10} {r['kind']:<4} {unquote(r['url'])[:70]:<70} {r['status']:>7} {r['n']:>3} {r['p50'] * 1000:8.0f} "
            f"{r['p95'] * 1000:8.0f} {r['ratio']:7.1f} {q:>7} {r['kb']:7.0f}{err}"
        )
    worst = sorted(rows, key=lambda r: -r["ratio"])
    errors = [r for r in rows if r["status"] != "200"]
    log("")
    log(
        f"{len(rows)} targets; {len(errors)} errors; {sum(1 for r in rows if r['ratio'] > 3)} above 3× the floor; "
        f"run took {time.time() - started:.0f} s"
    )
    log("10 worst:")
    for r in worst[:10]:
        log(
            f"  {r['ratio']:6.1f}×  p95 {r['p95'] * 1000:7.0f} ms  {r.get('queries')} queries  {r['role']} {unquote(r['url'])}"
        )
    if args.explain:
        explain(targets, log)
    log("")
    top = worst[0] if worst else None
    log(
        f"worst p95 ratio: {top['ratio']:.1f} ({top['role']} {unquote(top['url'])})"
        if top
        else "worst p95 ratio: - (none)"
    )
    server.stop()
    busy = "-busy" if args.busy else ""
    out = ROOT / "benchmarks" / "results" / f"pages-{args.scale:g}{busy}-{datetime.now():%Y%m%d-%H%M}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"(written to {out})", file=sys.stderr)
    if args.readme:
        update_readme(readme_block(args, rows, floor, floor50, out, len(floor_samples), server.figures_cache))
    if args.copy_to:
        Path(args.copy_to).write_text("\n".join(lines) + "\n", encoding="utf-8")


def readme_block(args, rows, floor, floor50, out, n_floor, figures_cache) -> list[str]:
    above = [r for r in rows if r["ratio"] > 3 or r["status"] != "200"]
    out_lines = [
        f"Latest run ({datetime.now():%Y-%m-%d %H:%M}, commit {git_head()}, `--scale {args.scale:g}`): "
        f"{os.cpu_count()} CPU cores (AMD EPYC, a virtual machine whose speed varies from one machine to the next "
        f"— compare ratios, not milliseconds), PostgreSQL {pg_version()}, Python {sys.version.split()[0]}, gunicorn "
        f"{args.workers} sync workers, figures cache in {'Redis' if figures_cache.startswith('redis') else figures_cache}. Floor p50 {floor50 * 1000:.0f} ms, p95 {floor * 1000:.0f} ms "
        f"({n_floor} samples). {len(rows)} targets, {len(above)} above 3× the floor or failing; "
        f"the full table is `{out.relative_to(ROOT)}`.",
        "",
        "| role | target | status | p50 ms | p95 ms | × floor | queries |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in sorted(above, key=lambda r: -r["ratio"])[:30]:
        out_lines.append(
            f"| {r['role']} | `{r['url']}` | {r['status']} | {r['p50'] * 1000:.0f} | {r['p95'] * 1000:.0f} | "
            f"{r['ratio']:.1f} | {r.get('queries') if r.get('queries') is not None else '-'} |"
        )
    if len(above) > 30:
        out_lines.append(f"| … | {len(above) - 30} more in the full table | | | | | |")
    if not above:
        out_lines.append("| – | every target within 3× the floor | | | | | |")
    return out_lines


ROW = re.compile(
    r"^(?P<role>\S+)\s+(?P<kind>page|api)\s+(?P<url>\S+)\s+(?P<status>[\d,]+)\s+(?P<n>\d+)\s+(?P<p50>\d+)\s+"
    r"(?P<p95>\d+)\s+(?P<ratio>[\d.]+|nan)\s+(?P<queries>\S+)\s+\d+"
)


def readme_from_file(path: Path) -> list[str]:
    """The README block of a written results file (its header lines and the rows above 3× or failing)."""
    text = path.read_text(encoding="utf-8").splitlines()
    head = [line for line in text if line.startswith(("pages.py", "floor ("))]
    rows = [m.groupdict() for line in text if (m := ROW.match(line))]
    above = [r for r in rows if r["status"] != "200" or float(r["ratio"]) > 3]
    above.sort(key=lambda r: -float(r["ratio"]))
    rel = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
    out = [
        " ".join(head)
        + f" Machine: {os.cpu_count()} CPU cores (AMD EPYC, 24 GB), a virtual machine whose speed varies "
        f"from one machine to the next — compare the ratios, not the milliseconds. {len(rows)} targets, {len(above)} above 3× the floor "
        f"or failing; the full table is `{rel}`.",
        "",
        "| role | target | status | p50 ms | p95 ms | × floor | queries |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in above[:30]:
        out.append(
            f"| {r['role']} | `{unquote(r['url'])}` | {r['status']} | {r['p50']} | {r['p95']} | {r['ratio']} | {r['queries']} |"
        )
    if len(above) > 30:
        out.append(f"| … | {len(above) - 30} more in the full table | | | | | |")
    return out


def pg_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0].split()[0]


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
