"""A bounded soak: mixed reads and writes from a few clients against `make serve`'s gunicorn.

Issue 15: ten minutes of this made throughput fall by half on SpatiaLite. The soak loads the
demo county, starts gunicorn.conf.py (the production server) over it, and runs ``--clients``
signed-in editors for ``--minutes``: map layers by bbox, the ledger, the dashboard, project
and parcel pages, histories, OGC items, and writes (parcel edits with their version, progress
entries) in about the proportions of the issue's run. Every minute it reports the requests
answered, p95 latency, errors, the WAL file (SpatiaLite) or database size, and the workers'
RSS; at the end the last full minute's throughput against the first's (target ≥ 90 %) and
the RSS growth.

    .venv/bin/python bench/soak.py --minutes 5                       # SpatiaLite
    .venv/bin/python bench/soak.py --minutes 5 \\
        --url postgresql+psycopg://postgres:postgres@127.0.0.1:5432/bench_soak   # PostGIS

On a shared machine the absolute figures move with the other jobs; bench/growth.py measures
the reads' growth with the history directly, in one process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from servers import Server, _children, _memory_kb  # noqa: E402

PASSWORD = "soak-password-long-enough"
BBOX = [(111.25, 35.75, 111.45, 35.95), (111.35, 35.80, 111.55, 36.00),
        (111.30, 35.70, 111.70, 36.10), (111.40, 35.85, 111.50, 35.95)]
# (weight, kind): reads and writes in about the proportions (7,508 parcel edits and
# 3,513 progress entries in 49,709 requests: 15 % and 7 %).
MIX = [(14, "layer_idle"), (12, "layer_stock"), (5, "parcels_page"), (8, "ledger"),
       (5, "dashboard"), (5, "projects"), (6, "project"), (6, "history"), (5, "ogc"),
       (3, "idle"), (4, "api_dashboard"), (15, "edit"), (7, "progress")]


def free_port(first: int = 5100, last: int = 5999) -> int:
    """Return a free loopback port in [first, last] (5000 belongs to others' `make run`)."""
    for port in random.sample(range(first, last + 1), last - first + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 5100 and 5999")


@dataclass
class Sample:
    """One request: when it ended (s since start), how long it took (ms), what, how it went."""

    at: float
    ms: float
    kind: str
    ok: bool


@dataclass
class Probe:
    """One reading of the server's footprint: WAL or database size and the workers' RSS."""

    at: float
    wal_mb: float
    db_mb: float
    rss_mb: float
    workers: int
    cpu_s: float


class Client:
    """One signed-in editor with its own cookies, parcels' versions and random stream."""

    def __init__(self, base: str, name: str, codes: dict, seed: int) -> None:
        self.base, self.codes, self.rng = base, codes, random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""
        self.versions: dict[str, int] = {}
        html = self._send("GET", "/login")[1].decode()
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"name": name, "password": PASSWORD,
                                       "csrf_token": self.token}).encode()
        status, _ = self._send("POST", "/login", body, "application/x-www-form-urlencoded")
        html = self._send("GET", "/")[1].decode()  # the token of the signed-in session
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def _send(self, method: str, path: str, body: bytes | None = None,
              content_type: str = "application/json") -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", content_type)
            request.add_header("X-CSRFToken", self.token)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def one(self, kind: str) -> bool:
        """Send one request of ``kind``; return True when the answer is the expected one."""
        rng, codes = self.rng, self.codes
        if kind in ("layer_idle", "layer_stock"):
            bbox = ",".join(map(str, rng.choice(BBOX)))
            status, _ = self._send("GET", f"/api/layers/{kind[6:]}?bbox={bbox}")
        elif kind == "parcels_page":
            status, _ = self._send("GET", f"/api/parcels?layer=stock&limit=50"
                                          f"&offset={rng.randrange(0, 300)}")
        elif kind == "ledger":
            status, _ = self._send("GET", "/api/ledger")
        elif kind in ("dashboard", "projects", "idle"):
            status, _ = self._send("GET", f"/{kind}")
        elif kind == "api_dashboard":
            status, _ = self._send("GET", "/api/dashboard")
        elif kind == "project":
            status, _ = self._send("GET", f"/api/projects/{rng.choice(codes['projects'])}")
        elif kind == "history":
            status, _ = self._send("GET", f"/api/parcels/{rng.choice(codes['parcels'])}/history")
        elif kind == "ogc":
            status, _ = self._send("GET", f"/ogc/collections/stock/items?f=json&limit=100"
                                          f"&offset={rng.randrange(0, 300)}")
        elif kind == "edit":
            return self._edit()
        elif kind == "progress":
            body = {"date": dt.date.today().isoformat(), "reporter": "soak",
                    "completed_investment": rng.randrange(0, 50000),
                    "percent_done": rng.randrange(0, 100), "problems": "用地手续",
                    "next_steps": "加快推进"}
            status, _ = self._send("POST", f"/api/projects/{rng.choice(codes['projects'])}"
                                           "/progress", json.dumps(body).encode())
            return status == 201
        return status == 200

    def _edit(self) -> bool:
        code = self.rng.choice(self.codes["parcels"])
        version = self.versions.get(code, 1)
        values = {"holder": f"测试公司{self.rng.randrange(1000)}",
                  "plot_ratio": round(self.rng.uniform(0.5, 2.5), 2)}
        status, raw = self._send("PATCH", f"/api/parcels/{code}",
                                 json.dumps({"version": version, "values": values}).encode())
        if status == 409:  # another client saved it first: redo on the stored version
            self.versions[code] = json.loads(raw)["current"]["version"]
            return True
        if status == 200:
            self.versions[code] = json.loads(raw)["version"]
        return status == 200


def _run_client(client: Client, until: float, started: float, samples: list[Sample],
                lock: threading.Lock) -> None:
    kinds = [k for w, k in MIX for _ in range(w)]
    while time.monotonic() < until:
        kind = client.rng.choice(kinds)
        t0 = time.monotonic()
        try:
            ok = client.one(kind)
        except Exception:  # noqa: BLE001 - a refused connection is a failed request
            ok = False
        t1 = time.monotonic()
        with lock:
            samples.append(Sample(t1 - started, (t1 - t0) * 1000, kind, ok))


def _probe(server: Server, sqlite_file: Path | None, url: str) -> Probe:
    workers = _children(server.proc.pid)
    rss = sum(_memory_kb(p, "VmRSS", "status") for p in workers) / 1024
    if sqlite_file is not None:
        wal = Path(f"{sqlite_file}-wal")
        wal_mb = wal.stat().st_size / 2**20 if wal.exists() else 0.0
        db_mb = sqlite_file.stat().st_size / 2**20
    else:
        from sqlalchemy import create_engine, text
        engine = create_engine(url)
        with engine.connect() as conn:
            db_mb = conn.scalar(text("SELECT pg_database_size(current_database())")) / 2**20
        engine.dispose()
        wal_mb = float("nan")
    return Probe(time.monotonic(), wal_mb, db_mb, rss, len(workers), _cpu_seconds(workers))


def _cpu_seconds(pids: list[int]) -> float:
    """Return the user + system CPU seconds the processes have used (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank ``q`` percentile (0–100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def _landmatch(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(ROOT / ".venv/bin/landmatch"), *args], env=env,
                          cwd=env["PYTHONPATH"],
                          input=stdin, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"landmatch {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


def _fresh_database(args, data: Path) -> tuple[str, Path | None]:
    if not args.url:
        path = data / "soak.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", path
    sys.path.insert(0, str(ROOT))
    from growth import _fresh_postgres
    _fresh_postgres(args.url)
    return args.url, None


@dataclass
class Minute:
    """What the clients saw in one minute, and the server's footprint at its end."""

    minute: int
    requests: int
    errors: int
    p95_ms: float
    writes: int
    wal_mb: float
    db_mb: float
    rss_mb: float
    cpu_ms_per_request: float
    slowest: dict[str, float] = field(default_factory=dict)


def summarise(samples: list[Sample], probes: list[Probe], started: float,
              minutes: int) -> list[Minute]:
    """Return one line per full minute of the run."""
    out = []
    for m in range(minutes):
        inside = [s for s in samples if m * 60 <= s.at < (m + 1) * 60]
        if not inside:
            continue
        ps = [p for p in probes if p.at - started < (m + 1) * 60] or probes[:1]
        # The workers' CPU over the minute, per request: what the server spent on each,
        # whatever else the machine ran (the wall-clock figures are not so spared).
        span = [p for p in probes if m * 60 <= p.at - started < (m + 1) * 60 + 5]
        cpu = (span[-1].cpu_s - span[0].cpu_s) if len(span) > 1 else float("nan")
        window = (span[-1].at - span[0].at) if len(span) > 1 else 60.0
        in_window = [s for s in samples
                     if span and span[0].at - started <= s.at < span[-1].at - started]
        by_kind: dict[str, list[float]] = {}
        for s in inside:
            by_kind.setdefault(s.kind, []).append(s.ms)
        out.append(Minute(
            m + 1, len(inside), sum(not s.ok for s in inside),
            round(percentile([s.ms for s in inside], 95), 1),
            sum(s.kind in ("edit", "progress") for s in inside),
            round(max(p.wal_mb for p in ps[-12:]), 1), round(ps[-1].db_mb, 1),
            round(ps[-1].rss_mb, 1),
            round(1000 * cpu / max(1, len(in_window)), 2) if window else float("nan"),
            {k: round(sorted(v)[len(v) // 2], 1) for k, v in sorted(by_kind.items())}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--url", help="PostGIS URL; its database (name with 'bench') is "
                                      "dropped and recreated. Default: a SpatiaLite file")
    parser.add_argument("--port", type=int, default=0, help="default: free, in 5100-5999")
    parser.add_argument("--out", type=Path, help="write the minutes as JSON here")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the checkout whose geo/ and webmap/ to serve, e.g. an export of "
                             "main (`git archive main | tar -x -C DIR`) to compare")
    args = parser.parse_args()

    data = ROOT / "bench" / "data" / "soak"
    data.mkdir(parents=True, exist_ok=True)
    url, sqlite_file = _fresh_database(args, data)
    port = args.port or free_port()
    # This checkout's code, not the editable install's (docs/traps.md 12).
    code = args.code.resolve()
    env = {**os.environ, "PYTHONPATH": str(code), "LANDMATCH_DATABASE_URL": url,
           "LANDMATCH_SECRET_KEY": "soak", "LANDMATCH_BIND": f"127.0.0.1:{port}",
           "LANDMATCH_WORKERS": str(args.workers), "LANDMATCH_LOGIN_RATE_LIMIT": "100 per minute"}
    _landmatch(env, "init-db")
    _landmatch(env, "demo")
    for i in range(args.clients):
        _landmatch(env, "user", "add", f"soak{i}", "--role", "editor", stdin=PASSWORD + "\n")

    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        codes = {"parcels": list(conn.scalars(text("SELECT code FROM parcels"))),
                 "projects": list(conn.scalars(text("SELECT code FROM projects")))}
    engine.dispose()

    server = Server("soak", [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py"], env,
                    code, port, "/api/ledger", data / "gunicorn.log")
    server.start()
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{port}"
        clients = [Client(base, f"soak{i}", codes, seed=i) for i in range(args.clients)]
        samples: list[Sample] = []
        probes: list[Probe] = []
        lock = threading.Lock()
        started = time.monotonic()
        until = started + args.minutes * 60
        threads = [threading.Thread(target=_run_client, args=(c, until, started, samples, lock))
                   for c in clients]
        for t in threads:
            t.start()
        while time.monotonic() < until:
            probes.append(_probe(server, sqlite_file, url))
            time.sleep(5)
        for t in threads:
            t.join()
        probes.append(_probe(server, sqlite_file, url))
        alive = server.proc.poll() is None
    finally:
        server.stop()

    minutes = summarise(samples, probes, started, args.minutes)
    backend = "postgis" if args.url else "spatialite"
    print(f"{backend}: {args.clients} clients, {args.workers} workers, {args.minutes} min, "
          f"{len(samples)} requests, {sum(not s.ok for s in samples)} not as expected; "
          f"server alive: {alive}")
    print(f"{'min':>3} {'req/min':>8} {'writes':>6} {'p95 ms':>7} {'errors':>6} "
          f"{'WAL MB':>7} {'DB MB':>6} {'RSS MB':>7} {'CPU ms/req':>10}")
    for m in minutes:
        print(f"{m.minute:>3} {m.requests:>8} {m.writes:>6} {m.p95_ms:>7} {m.errors:>6} "
              f"{m.wal_mb:>7} {m.db_mb:>6} {m.rss_mb:>7} {m.cpu_ms_per_request:>10}")
    if len(minutes) >= 2:
        first, last = minutes[0], minutes[-1]
        print(f"last/first minute throughput: {last.requests / first.requests:.2f} "
              f"(target >= 0.90); p95 {first.p95_ms} -> {last.p95_ms} ms; "
              f"RSS {first.rss_mb} -> {last.rss_mb} MB; workers' CPU per request "
              f"{first.cpu_ms_per_request} -> {last.cpu_ms_per_request} ms")
        print("median ms per kind, first -> last minute:")
        for kind in first.slowest:
            print(f"  {kind:14} {first.slowest[kind]:7} -> {last.slowest.get(kind, 0):7}")
    if args.out:
        args.out.write_text(json.dumps({
            "backend": backend, "clients": args.clients, "workers": args.workers,
            "code": str(code), "minutes": [m.__dict__ for m in minutes], "alive": alive,
            "load_average": Path("/proc/loadavg").read_text().split()[:3]}, indent=1))


if __name__ == "__main__":
    main()
