"""Start, probe, measure and stop the gunicorn servers under test (LandMatch and pygeoapi)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the command name in field 2 may hold spaces; the fields after ")" do not
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == pid:
                kids.append(int(entry.name))
    return kids


def _memory_kb(pid: int, key: str, file: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


@dataclass
class Server:
    """One gunicorn server: its command, environment, port and the path that says it is up."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    probe: str
    log: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the server in its own process group, its output going to its log."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        """Return once ``probe`` answers 200; raise if the server dies or stays silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", self.probe)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer {self.probe} in {timeout} s")

    def memory_mb(self) -> tuple[float, float]:
        """Return (RSS, PSS) in MB summed over the gunicorn master and its workers.

        RSS counts the pages the workers share with the master once per process; PSS splits
        them, so it is what the server really costs.
        """
        pids = [self.proc.pid, *_children(self.proc.pid)]
        rss = sum(_memory_kb(p, "VmRSS", "status") for p in pids)
        pss = sum(_memory_kb(p, "Pss", "smaps_rollup") for p in pids)
        return rss / 1024, pss / 1024

    def stop(self) -> None:
        """Stop the master (it stops its workers); kill the process group if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def landmatch(name: str, repo: Path, bin_dir: Path, env: dict[str, str], workers: int,
              logs: Path) -> Server:
    """Return LandMatch's production server (gunicorn.conf.py) on a free loopback port."""
    port = free_port()
    env = {**env, "LANDMATCH_BIND": f"127.0.0.1:{port}", "LANDMATCH_WORKERS": str(workers)}
    return Server(name, [str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py"], env, repo, port,
                  "/ogc/collections/stock?f=json", logs / f"{name}.log")


def pygeoapi(bin_dir: Path, env: dict[str, str], port: int, workers: int, cwd: Path,
             logs: Path) -> Server:
    """Return pygeoapi's Flask app under gunicorn with the same sync workers as LandMatch."""
    command = [str(bin_dir / "gunicorn"), "-w", str(workers), "-k", "sync", "--keep-alive", "5",
               "--no-control-socket", "-b", f"127.0.0.1:{port}", "pygeoapi.flask_app:APP"]
    return Server("pygeoapi", command, {**os.environ, **env}, cwd, port, "/collections?f=json",
                  logs / "pygeoapi.log")
