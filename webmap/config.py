"""Default settings; each can be overridden by a ``LANDMATCH_<NAME>`` environment variable."""

from geo.matching import Settings
from geo.supply import DEFAULT_OFFERABLE


class Defaults:
    """Settings of a fresh install: a SpatiaLite file, the demo county, no base map."""

    # SQLAlchemy URL; empty means instance/landmatch.sqlite. PostGIS:
    # postgresql+psycopg://user@host:5432/dbname
    DATABASE_URL = ""
    COUNTY = "141023"  # the county whose outline, towns and GK zone are in data/county/
    # Base map: "none", "tianditu" (needs TIANDITU_KEY) or an XYZ URL with {z}/{x}/{y}.
    BASEMAP = "none"
    BASEMAP_ATTRIBUTION = ""
    TIANDITU_KEY = ""
    DEMO_NOTICE = True  # footer saying the data is synthetic; turn off for real data
    BABEL_DEFAULT_LOCALE = "zh"
    LANGUAGES = ("zh", "en")
    SECRET_KEY = ""  # empty: generated once into instance/secret_key
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # A zipped upload may unpack to at most this many bytes (each member and the sum), read
    # through a streaming reader that stops there (geo/importer/source.py).
    IMPORT_MAX_UNPACKED = 4 * MAX_CONTENT_LENGTH
    # Uploads not committed are removed after this many seconds (and at once on commit).
    UPLOAD_MAX_AGE = 3600
    # Which parcel statuses can be offered to a new project (geo/supply.py): 可供地, plus what
    # the bureau adds, e.g. LANDMATCH_OFFERABLE_STATUSES='["available", "underused"]'.
    # 已意向 and 已供应 never are, nor idle land its user still holds.
    OFFERABLE_STATUSES = DEFAULT_OFFERABLE
    # Matching (geo/matching.py): ranking weights (points per part), the industry-chain
    # radius, and how many candidates to list.
    MATCH_WEIGHTS = dict(Settings().weights)
    MATCH_CHAIN_RADIUS_KM = Settings().chain_radius_km
    MATCH_LIMIT = Settings().limit
    # Overrides of data/ledger_rules.json (thresholds of the ledger categories), e.g.
    # LANDMATCH_LEDGER_RULES='{"slow_behind_days": 15}'
    LEDGER_RULES: dict = {}
    # The map page: a layer with more features in view than this is drawn from vector tiles
    # (/tiles/…), with fewer from GeoJSON with every attribute. 0: tiles always; negative
    # (or empty): never. Measured in bench/map_bench.py (bench/results/map-thresholds.md).
    MAP_TILE_THRESHOLD = 1500
    # Accounts: reading without signing in (an intranet's choice); writing always needs one.
    PUBLIC_READ = True
    LOGIN_RATE_LIMIT = "10 per minute"  # failed sign-ins, per address and per account name
    # Where the counters live: "database://" is the app's own database, shared by every worker
    # and server (webmap/ratelimit.py); or redis://host:6379 (needs `pip install redis`).
    RATELIMIT_STORAGE_URI = "database://"
    # A sign-in unused for this long ends on the server (geo/sessions.py); hours.
    SESSION_IDLE_HOURS = 8
    # A sign-in ends this long after it began, however busy: sign in again each working day.
    SESSION_MAX_HOURS = 12
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (nginx: 1).
    # 0 trusts none: a client could then pick its own address for the sign-in limit.
    PROXY_COUNT = 0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set true behind HTTPS (LANDMATCH_SESSION_COOKIE_SECURE=true)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
