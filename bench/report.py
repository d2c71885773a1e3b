"""Turn the measured figures into the issue's ratios and targets, as Markdown and JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

LM_SL, LM_PG = "LandMatch-SpatiaLite", "LandMatch-PostGIS"
PY_GPKG, PY_PG = "pygeoapi-GPKG", "pygeoapi-PostgreSQL"
SERVERS = (LM_SL, LM_PG, PY_GPKG, PY_PG)
FLOOR_OF = {LM_SL: "spatialite", LM_PG: "postgis"}


def _geomean(values: list[float]) -> float:
    if min(values) <= 0:
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _target(name: str, value: float | None, limit: float, unit: str, higher: bool) -> dict:
    met = None if value is None else (value >= limit if higher else value <= limit)
    return {"name": name, "value": None if value is None else round(value, 2),
            "target": f"{'≥' if higher else '≤'} {limit:g}{unit}", "unit": unit, "met": met}


def targets(results: dict) -> list[dict]:
    """Return the issue's targets, each with its measured value and met/missed."""
    q, out = results["queries"], []
    for ours, theirs, goal in ((LM_PG, PY_PG, 3), (LM_SL, PY_GPKG, 20)):
        if ours in q and theirs in q:
            ratio = _geomean([q[ours][s]["rps"] / q[theirs][s]["rps"] for s in q[ours]])
            out.append(_target(f"throughput {ours} / {theirs} (geometric mean)", ratio, goal,
                               "×", True))
    for server, backend in FLOOR_OF.items():
        for size in list(q.get(server, {}))[1:]:
            # One client, as the floor is one thread: with more clients than workers the
            # p50 under load also holds the time spent queueing.
            p50 = q[server][size]["p50_1client_ms"]
            ratio = p50 / results["floor"][backend][size]["p50_ms"]
            out.append(_target(f"p50 {server} (one client) / floor at {size} features", ratio,
                               1.5, "×", False))
    for server, m in results["match"].items():
        out.append(_target(f"match p95, {server}", m["p95_ms"], 150, " ms", False))
    for backend, imp in results["import"].items():
        if imp:
            out.append(_target(f"import time, {backend}", imp["seconds"], 15, " s", False))
            out.append(_target(f"import peak memory, {backend}", imp["peak_mb"], 500, " MB",
                               False))
    for server, mem in results["memory"].items():
        if server.startswith("LandMatch"):
            out.append(_target(f"server RSS, {server}", mem["rss_mb"], 400, " MB", False))
    return out


def _fmt(v, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def _header(results: dict) -> list[str]:
    s = results["settings"]
    lines = [f"# LandMatch vs pygeoapi, {s['parcels']:,} parcels — {results['date']}", "",
             f"LandMatch code at commit {results['commit']}.", "",
             "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results["machine"].items()]
    return lines + [
        f"| load average at start / end | {results['load_start']} / {results['load_end']} |",
        "", f"Meanwhile on the machine: {results['note']}. Timings are noisy; compare the "
        "ratios, which come from one run.", "", "## Settings", "",
        f"gunicorn sync workers: {s['workers']} per server; {s['threads']} client threads "
        f"(one connection each); per cell at most {s['requests']} requests or "
        f"{s['seconds']} s, in {s['rounds']} bursts taken in turn with the other servers'; "
        f"{s['bboxes']} bboxes per size, identical for every server, "
        f"`limit={s['limit']}`, `f=json`; every answer checked for the expected number of "
        "features (wrong answers are not counted). Mean parcels per bbox: "
        + ", ".join(f"{k}: {v}" for k, v in results["bbox_counts"].items()) + "."]


def _queries(results: dict, sizes: list[str]) -> list[str]:
    q, threads = results["queries"], results["settings"]["threads"]
    lines = ["", f"## bbox item queries, {threads} clients at once", "",
             "| server | " + " | ".join(f"{z}: req/s | p50 ms | p95 ms" for z in sizes) +
             " | wrong answers |", "|---|" + "---:|" * (3 * len(sizes) + 1)]
    for server in (s for s in SERVERS if s in q):
        cells = [q[server][z] for z in sizes]
        lines.append(f"| {server} | " + " | ".join(
            f"{_fmt(c['rps'])} | {_fmt(c['p50_ms'])} | {_fmt(c['p95_ms'])}" for c in cells)
            + f" | {sum(c['errors'] for c in cells)} |")
    lines += ["", "## Latency with one client, and the floor (p50 ms)", "",
              "| | " + " | ".join(f"{z} features" for z in sizes) + " |",
              "|---|" + "---:|" * len(sizes)]
    for server in (s for s in SERVERS if s in q):
        lines.append(f"| {server} | " + " | ".join(
            _fmt(q[server][z]["p50_1client_ms"]) for z in sizes) + " |")
    for backend, floor in results["floor"].items():
        lines.append(f"| floor: raw SQL + JSON on {backend} | " + " | ".join(
            _fmt(floor[z]["p50_ms"]) for z in sizes) + " |")
    for backend, own in results.get("in_process", {}).items():
        lines.append(f"| LandMatch's query in process (no HTTP) on {backend} | " + " | ".join(
            _fmt(own[z]["p50_ms"]) for z in sizes) + " |")
    return lines + [
        "", "The floor serialises the properties in Python, as the issue defines it; LandMatch "
        "has the database write each Feature's JSON, so it can beat that floor. Its own query "
        "in process is the tighter bound: the gap to the server is HTTP, Flask and gunicorn."]


def _others(results: dict) -> list[str]:
    lines = ["", "## Match, export, import, memory", "",
             "| | match median ms | p95 ms | max ms | export s | export MB | import s | "
             "import peak MB | RSS MB | PSS MB |", "|---|" + "---:|" * 9]
    for server, mem in results["memory"].items():
        m, e = results["match"].get(server, {}), results["export"].get(server, {})
        imp = results["import"].get(FLOOR_OF.get(server, ""), None) or {}
        lines.append(f"| {server} | {_fmt(m.get('median_ms'))} | {_fmt(m.get('p95_ms'))} | "
                     f"{_fmt(m.get('max_ms'))} | {_fmt(e.get('seconds'), 2)} | "
                     f"{_fmt(e.get('mb'))} | {_fmt(imp.get('seconds'))} | "
                     f"{_fmt(imp.get('peak_mb'), 0)} | {_fmt(mem['rss_mb'], 0)} | "
                     f"{_fmt(mem['pss_mb'], 0)} |")
    return lines + [
        "", "One pygeoapi server serves both of its collections. RSS sums the gunicorn "
        "master and workers (pages shared after the fork count once per process); PSS "
        "shares them out. Memory is read after every LandMatch worker has also served the "
        "map page (median " + ", ".join(f"{k} {v} s" for k, v in
                                          results.get("map_page_s", {}).items()) + ")."]


def markdown(results: dict) -> str:
    """Return the results as a Markdown page: machine, settings, tables, targets."""
    sizes = list(next(iter(results["queries"].values())))
    lines = [*_header(results), *_queries(results, sizes), *_others(results),
             "", "## Targets (issue 7)", "", "| target | measured | goal | |",
             "|---|---:|---:|---|"]
    for t in results["targets"]:
        mark = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        digits = 2 if t["unit"] == "×" else 0 if t["unit"] == " MB" else 1
        lines.append(f"| {t['name']} | {_fmt(t['value'], digits)}{t['unit']} | {t['target']} | "
                     f"{mark} |")
    return "\n".join(lines) + "\n"


def write(results: dict, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write ``stem``.json and ``stem``.md into ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    results["targets"] = targets(results)
    as_json, as_md = folder / f"{stem}.json", folder / f"{stem}.md"
    as_json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    as_md.write_text(markdown(results))
    return as_json, as_md
