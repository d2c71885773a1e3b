"""Drive a server over loopback with N client threads, bounded in requests and time."""

from __future__ import annotations

import http.client
import json
import re
import statistics
import threading
import time
from dataclasses import dataclass

# One match per feature: "FeatureCollection" is excluded by the closing quote, and no
# property of a parcel is called "type".
FEATURE = re.compile(rb'"type":\s*"Feature"')


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank ``q`` percentile (0–100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


class Client:
    """One keep-alive HTTP connection that reopens when the server closes it."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """Return (status, body) of one request; retry once on a connection the server closed."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def check(status: int, body: bytes, expected: int, full: bool = False) -> str | None:
    """Return what is wrong with a FeatureCollection answer, or None when it is right.

    ``full`` parses the JSON; otherwise the features are counted in the text, which is cheap
    enough not to steal the server's CPU on this shared machine.
    """
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if full:
        doc = json.loads(body)
        if doc.get("type") != "FeatureCollection":
            return f"not a FeatureCollection: {body[:200]!r}"
        got = len(doc["features"])
    else:
        got = len(FEATURE.findall(body))
    return None if got == expected else f"{got} features instead of {expected}"


def one_client(port: int, queries: list[tuple[str, int]], passes: int = 3,
               max_seconds: float = 20) -> float:
    """Return the p50 (ms) of the queries sent one at a time: latency with no queueing.

    Up to ``passes`` passes over the queries, stopping after the pass that ends past
    ``max_seconds``.
    """
    client = Client(port)
    times = []
    started = time.perf_counter()
    try:
        for _ in range(passes):
            for path, expected in queries:
                sent = time.perf_counter()
                status, body = client.send("GET", path)
                times.append((time.perf_counter() - sent) * 1000)
                problem = check(status, body, expected)
                if problem:
                    raise RuntimeError(f"{path}: {problem}")
            if time.perf_counter() - started > max_seconds:
                break
    finally:
        client.close()
    return round(statistics.median(times), 1)


@dataclass
class Cell:
    """The figures of one server at one query size; only right answers count."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    errors: int
    first_error: str | None


def _worker(port: int, queries: list[tuple[str, int]], start: int, deadline: float,
            budget: list[int], lock: threading.Lock, latencies: list[float],
            errors: list[str]) -> None:
    client = Client(port)
    i = start
    try:
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path, expected = queries[i % len(queries)]
            i += 1
            started = time.perf_counter()
            status, body = client.send("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            problem = check(status, body, expected)
            if problem:
                errors.append(f"{path}: {problem}")
            else:
                latencies.append(elapsed)
    finally:
        client.close()


def validate(port: int, queries: list[tuple[str, int]]) -> list[str]:
    """Send every query, parsing each answer in full (this warms the server too).

    A query that fails is asked once more, so that a passing hiccup does not stop the run;
    the problems left are returned.
    """
    client = Client(port)
    problems = []
    try:
        for path, expected in queries:
            problem = check(*client.send("GET", path), expected, full=True)
            if problem:
                problem = check(*client.send("GET", path), expected, full=True)
            if problem:
                problems.append(f"{path}: {problem}")
    finally:
        client.close()
    return problems


@dataclass
class Sample:
    """The raw outcome of one burst of requests."""

    seconds: float
    latencies: list[float]
    errors: list[str]


def burst(port: int, queries: list[tuple[str, int]], threads: int, max_requests: int,
          max_seconds: float) -> Sample:
    """Send ``queries`` round-robin from ``threads`` threads until either bound is reached."""
    latencies: list[float] = []
    errors: list[str] = []
    budget, lock = [max_requests], threading.Lock()
    started = time.perf_counter()
    deadline = started + max_seconds
    step = max(1, len(queries) // threads)
    workers = [threading.Thread(target=_worker, args=(port, queries, k * step, deadline, budget,
                                                      lock, latencies, errors))
               for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return Sample(time.perf_counter() - started, latencies, errors)


def summarise(samples: list[Sample]) -> Cell:
    """Return one cell's figures from its bursts; only right answers count."""
    seconds = sum(s.seconds for s in samples)
    latencies = [v for s in samples for v in s.latencies]
    errors = [e for s in samples for e in s.errors]
    p50 = round(statistics.median(latencies), 1) if latencies else None
    p95 = round(percentile(latencies, 95), 1) if latencies else None
    return Cell(len(latencies), round(seconds, 2), round(len(latencies) / seconds, 1), p50, p95,
                len(errors), errors[0] if errors else None)
