"""Time LandMatch's other requests over HTTP: matches, a whole-layer export, the map page."""

from __future__ import annotations

import json
import random
import statistics
import time

from http_load import FEATURE, Client, percentile


def needs(rng: random.Random, lon: float, lat: float) -> dict:
    """Return a project's needs near (lon, lat), in the shape POST /api/match takes."""
    low = rng.choice([10, 15, 20])
    return {"industry": rng.choice(["35", "30", "39", "13"]), "land_class": "industrial2",
            "area_min_mu": low, "area_max_mu": low + 30, "total_investment": 6000,
            "building_coefficient": 40, "power_kva": 500, "gas": "yes",
            "lon": round(lon, 6), "lat": round(lat, 6),
            "max_distance_km": rng.choice([3, 5, 10])}


def matches(port: int, points: list[tuple[float, float]], seed: int) -> dict:
    """Post one match per point, one after another; return median, p95 and max (ms)."""
    rng = random.Random(seed)
    client = Client(port)
    times, passed = [], []
    try:
        client.send("POST", "/api/match", json.dumps(needs(rng, *points[0])).encode())  # warm
        for lon, lat in points:
            body = json.dumps(needs(rng, lon, lat)).encode()
            started = time.perf_counter()
            status, answer = client.send("POST", "/api/match", body)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"POST /api/match: HTTP {status}: {answer[:300]!r}")
            passed.append(json.loads(answer)["counts"]["passed"])
    finally:
        client.close()
    return {"matches": len(times), "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1), "max_ms": round(max(times), 1),
            "candidates_median": statistics.median(passed)}


def export(port: int, expected: int) -> dict:
    """Download the whole stock layer as GeoJSON; return seconds, MB and the feature count."""
    client = Client(port)
    try:
        started = time.perf_counter()
        status, body = client.send("GET", "/export/stock.geojson")
        seconds = time.perf_counter() - started
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"GET /export/stock.geojson: HTTP {status}: {body[:300]!r}")
    features = len(FEATURE.findall(body))
    if features != expected:
        raise RuntimeError(f"the export holds {features} features, not {expected}")
    return {"seconds": round(seconds, 2), "mb": round(len(body) / 1e6, 1), "features": features}


def map_pages(port: int, times: int = 8) -> float:
    """Open the map page a few times so every worker has built one; return the median seconds.

    Memory is read after this, so it counts what a worker holds once it has served the map
    (folium and pandas), not only the API.
    """
    spent = []
    for i in range(times):
        client = Client(port)  # a new connection each time, so the requests spread over workers
        try:
            started = time.perf_counter()
            status, body = client.send("GET", "/?lang=en" if i % 2 else "/")
            spent.append(time.perf_counter() - started)
        finally:
            client.close()
        if status != 200 or b"leaflet" not in body.lower():
            raise RuntimeError(f"GET /: HTTP {status}")
    return round(statistics.median(spent), 3)
