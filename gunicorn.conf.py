"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Each setting can be overridden by a LANDMATCH_* environment variable (or gunicorn's own
command-line flags). The app is stateless apart from its database, so more machines behind
a proxy scale it out (docs/scaling.md).
"""

import multiprocessing
import os

wsgi_app = "webmap:create_app()"
bind = os.environ.get("LANDMATCH_BIND", "127.0.0.1:8000")
# Requests are mostly database and JSON work that holds the GIL, so one sync worker per core
# beats threads; a slow client is the proxy's business (nginx buffers responses).
workers = int(os.environ.get("LANDMATCH_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("LANDMATCH_TIMEOUT", 120))  # whole-layer exports and imports
graceful_timeout = 30
keepalive = 5
# Each worker loads the app itself. Loading it before the fork saved no memory (PSS
# 300 MB either way with 2 workers: CPython's reference counts dirty the shared pages) and
# kept a third copy in the master (RSS 524 MB in all against 469 MB; docs/scaling.md).
preload_app = False
max_requests = int(os.environ.get("LANDMATCH_MAX_REQUESTS", 0))
accesslog = os.environ.get("LANDMATCH_ACCESS_LOG") or None
errorlog = "-"

# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl): a second
# server on the machine (another county, a test) would take it over. Not needed here.
control_socket_disable = True
