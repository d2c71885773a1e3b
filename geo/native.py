"""Keep the process's native code from corrupting itself: GDAL's own libraries, CPython 3.11's GC.

Imported by ``geo.register`` before the first SpatiaLite connection and the first ORM object
(docs/traps.md 26 and 27).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path

_loaded: list[ctypes.CDLL] = []


def bundled_gdal() -> Path | None:
    """Return the GDAL library inside pyogrio's wheel, or None (pyogrio built on the system's)."""
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        return None
    libs = Path(next(iter(spec.submodule_search_locations))).parent / "pyogrio.libs"
    found = sorted(libs.glob("libgdal*.so*")) if libs.is_dir() else []
    return found[0] if found else None


def bind_gdal_to_its_own_libraries() -> None:
    """Load pyogrio's GDAL now, so that it binds to the SQLite, PROJ, GEOS and SpatiaLite it
    carries, not to the system's.

    SQLite opens extensions with ``RTLD_GLOBAL``: once ``mod_spatialite`` is loaded, the
    system's libsqlite3, libproj, libgeos, libspatialite … are in the global symbol scope,
    which the dynamic linker searches first. GDAL loaded after that (pyogrio is imported
    lazily, by the first import or export) took thousands of its symbols from them (SQLite,
    SpatiaLite, GEOS, PROJ, libxml2 …) and crashed in its first GeoPackage. Loaded before,
    with every symbol bound at once, it keeps its own (12 MB per process; pyogrio itself,
    about 55 MB more, stays lazy). docs/traps.md 26.
    """
    if _loaded or not sys.platform.startswith("linux"):
        return  # macOS and Windows look symbols up per library: no interposition there
    library = bundled_gdal()
    if library is not None:
        _loaded.append(ctypes.CDLL(str(library), mode=os.RTLD_NOW | os.RTLD_LOCAL))


def give_orm_states_their_dict_at_birth() -> None:
    """Work around a CPython 3.11 bug that SQLAlchemy's session close walks into.

    In 3.11 an object's attributes live in an inline array until a name does not fit the
    class's shared keys; then ``setattr`` builds a dict from the array, and that allocation
    can run the cyclic GC. If the GC frees the mapped object of the very ``InstanceState``
    being changed, the state's weakref callback (``_cleanup``) sets attributes on it too:
    two dicts then own one array, which is freed twice (Session.close → ``_detach_states``
    → ``state._strong_obj = None``; 5 GET /projects were enough). A state that has its dict
    from birth, while its object is alive, never goes through that path. Python 3.12 runs
    the GC only between bytecodes, so the bug and this work-around end there.
    docs/traps.md 27.
    """
    if sys.version_info[:2] != (3, 11):
        return
    from sqlalchemy.orm.state import InstanceState

    original = InstanceState.__init__
    if getattr(original, "_landmatch_dict_at_birth", False):
        return

    def __init__(self, obj, manager):
        self.__dict__  # noqa: B018  (reading it makes the dict, before any weakref exists)
        original(self, obj, manager)

    __init__._landmatch_dict_at_birth = True
    InstanceState.__init__ = __init__


bind_gdal_to_its_own_libraries()
give_orm_states_their_dict_at_birth()
