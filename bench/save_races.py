"""Two editors save one parcel from the same version at the same moment, N rounds, against a
running server; print how the pairs of answers came out (one 200 and one 409 is right).

    landmatch user add race-a --role editor   # both with the password given below
    landmatch user add race-b --role editor
    .venv/bin/python bench/save_races.py http://127.0.0.1:8000 300 'their password'

Before issue 15 the loser got 500 instead of 409 in 224 of 300 rounds (gunicorn, 2 workers,
SpatiaLite and PostGIS alike); after it, 300 of 300 rounds were (200, 409).
"""

from __future__ import annotations

import collections
import re
import sys
import threading

import requests

CODE = "141023XZ0001"  # a parcel of the demo county


def _token(session: requests.Session, base: str) -> str:
    html = session.get(f"{base}/login").text
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _editor(base: str, name: str, password: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(f"{base}/login", allow_redirects=False, data={
        "name": name, "password": password, "csrf_token": _token(session, base)})
    if answer.status_code != 302:
        sys.exit(f"cannot sign in as {name}: {answer.status_code}")
    return session, _token(session, base)


def _version(session: requests.Session, base: str) -> int:
    return session.get(f"{base}/ogc/collections/idle/items/{CODE}?f=json").json()[
        "properties"]["version"]


def _round(base: str, editors, n: int) -> tuple[int, ...]:
    """Both editors save version v of the parcel at once; return the two statuses, sorted."""
    version = _version(editors[0][0], base)
    barrier = threading.Barrier(len(editors))
    answers = [0] * len(editors)

    def save(i: int) -> None:
        session, token = editors[i]
        barrier.wait()
        answers[i] = session.patch(
            f"{base}/api/parcels/{CODE}", headers={"X-CSRFToken": token},
            json={"version": version, "values": {"name": f"{'ab'[i]}{n}"}}).status_code

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(editors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tuple(sorted(answers))


def main(base: str, rounds: int, password: str) -> None:
    editors = [_editor(base, name, password) for name in ("race-a", "race-b")]
    print(dict(collections.Counter(_round(base, editors, n) for n in range(rounds))))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
