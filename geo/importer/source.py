"""Open a file the bureau sends: Shapefile (zipped or not), GeoPackage, GeoJSON, CSV, XLSX."""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import Point

from geo.errors import N_, GeoError
from geo.importer.encoding import Encoding, detect_encoding, shapefile_encoding

GDAL_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx")
# Largest unpacked size of a zip (each member and their sum) unless the caller says otherwise:
# four times the web upload limit (webmap/config.py MAX_CONTENT_LENGTH, IMPORT_MAX_UNPACKED).
MAX_UNPACKED = 4 * 64 * 2**20
_CHUNK = 2**20
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "图形", "空间坐标")
LON_NAMES = ("经度", "lon", "lng", "longitude")
LAT_NAMES = ("纬度", "lat", "latitude")
_WKT = re.compile(r"^\s*(MULTI)?(POLYGON|POINT|LINESTRING)\b", re.I)


@dataclass
class Source:
    """A file's rows held by column, and how the file was read.

    Each column is a NumPy array as GDAL gives it, or a list (CSV, XLSX); each row's shape
    is WKB (``wkb``) or a shapely geometry, None when missing. ``values`` and ``geometries``
    turn a slice of rows into plain Python values and shapely geometries when they are
    checked, so that a file of 100,000 parcels is never held as 100,000 dicts or shapes.
    """

    path: Path
    columns: list[str]
    data: dict[str, np.ndarray | list]
    shapes: np.ndarray  # WKB or shapely geometries (see ``wkb``), None where missing
    file_crs: CRS | None
    encoding: Encoding | None
    tabular: bool  # CSV/XLSX: report spreadsheet lines (the header is line 1)
    geometry_columns: tuple[str, ...] = ()
    notes: list[tuple[str, dict]] = field(default_factory=list)
    wkb: bool = False
    size: int = field(init=False)  # the number of rows, kept when the rows are released

    def __post_init__(self) -> None:
        self.size = len(self.shapes)

    def values(self, column: str, start: int = 0, stop: int | None = None) -> list[object]:
        """Return rows ``start:stop`` of ``column`` as plain Python values, None if missing."""
        part = self.data[column][start:stop]
        if not isinstance(part, np.ndarray):
            return part
        kind, part = part.dtype.kind, part.tolist()
        if kind == "f":
            return [None if v != v else v for v in part]  # NaN: the value unequal to itself
        return [_plain(v) for v in part] if kind == "O" else part

    def geometries(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Return the shapes of rows ``start:stop`` as shapely geometries (None if missing)."""
        part = self.shapes[start:stop]
        return shapely.from_wkb(part) if self.wkb else part

    def release(self) -> None:
        """Let go of the rows once they are checked (the accepted ones are in the plan)."""
        self.data = {c: [] for c in self.columns}
        self.shapes = np.empty(0, dtype=object)

    def line(self, index: int) -> int:
        """Return the number a user sees for row ``index`` (0-based): record or sheet line."""
        return index + (2 if self.tabular else 1)


def open_source(path: str | Path, source_layer: str | None = None,
                encoding: str | None = None, max_unpacked: int = MAX_UNPACKED) -> Source:
    """Read every row of ``path``; a zip is unpacked into a temporary folder first.

    A zip (an XLSX is one too) whose members or their sum would unpack to more than
    ``max_unpacked`` bytes is refused before anything past that size is written or parsed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _measure(path, max_unpacked)
    if suffix == ".zip":
        folder = Path(tempfile.mkdtemp(prefix="landmatch-import-"))
        try:
            inner = _unzip(path, folder, source_layer, max_unpacked)
            source = open_source(inner, None, encoding, max_unpacked)
            source.path = path
            return source
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if suffix in GDAL_SUFFIXES:
        return _read_gdal(path, source_layer, encoding)
    if suffix in TABLE_SUFFIXES:
        return _read_table(path, source_layer, encoding)
    raise GeoError(N_("%(value)s is not a format LandMatch imports; send a zipped Shapefile, "
                      "GeoPackage, GeoJSON, CSV or XLSX file."), field="file", value=path.name)


def _too_large(path: Path, limit: int) -> GeoError:
    return GeoError(N_("%(value)s would unpack to more than %(limit)s MB; send a smaller file "
                       "or split it."), field="file", value=path.name,
                    limit=f"{limit / 2**20:g}")


def _members(archive: zipfile.ZipFile, path: Path, limit: int):
    """Yield (info, chunks) per member, stopping once a member or the sum passes ``limit``.

    The sizes a zip declares are checked first, and the bytes read are counted too (a zip can
    declare less than it holds): nothing beyond ``limit`` is ever inflated.
    """
    infos = [i for i in archive.infolist()
             if not i.filename.startswith("__MACOSX") and not i.is_dir()]
    if sum(i.file_size for i in infos) > limit:
        raise _too_large(path, limit)
    total = 0

    def chunks(info):
        nonlocal total
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise _too_large(path, limit)
                yield chunk

    for info in infos:
        yield info, chunks(info)


def _measure(path: Path, limit: int) -> None:
    """Refuse a zip-based file (XLSX) that would unpack past ``limit``, writing nothing."""
    try:
        with zipfile.ZipFile(path) as archive:
            for _info, chunks in _members(archive, path, limit):
                for _chunk in chunks:
                    pass
    except zipfile.BadZipFile:
        return  # not a zip at all: the reader says what is wrong with it


def _unzip(path: Path, folder: Path, source_layer: str | None, limit: int) -> Path:
    try:
        with zipfile.ZipFile(path) as archive:
            for info, chunks in _members(archive, path, limit):
                target = (folder / info.filename).resolve()
                if folder.resolve() not in target.parents:  # no "../" escapes
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    for chunk in chunks:
                        out.write(chunk)
    except zipfile.BadZipFile:
        raise GeoError(N_("%(value)s is not a valid zip file."), field="file",
                       value=path.name) from None
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in GDAL_SUFFIXES + (".csv",))
    shapefiles = [p for p in found if p.suffix.lower() == ".shp"] or found
    if source_layer:
        shapefiles = [p for p in shapefiles if p.stem == source_layer]
    if len(shapefiles) != 1:
        raise GeoError(N_("The zip file holds %(count)s layers (%(choices)s); choose one with "
                          "--source-layer."), field="source_layer", count=len(shapefiles),
                       choices=", ".join(p.stem for p in found) or "-")
    return shapefiles[0]


def _read_gdal(path: Path, source_layer: str | None, encoding: str | None) -> Source:
    # Here, not at the top: GDAL costs every web worker 50 MB, and only imports need it.
    import pyogrio
    import pyogrio.errors

    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        raise GeoError(N_("%(value)s cannot be read as %(kind)s; check that the file is "
                          "complete."), field="file", value=path.name,
                       kind=path.suffix.lstrip(".")) from None
    if source_layer is None and len(layers) > 1:
        raise GeoError(N_("The file holds %(count)s layers (%(choices)s); choose one with "
                          "--source-layer."), field="source_layer", count=len(layers),
                       choices=", ".join(layers))
    if source_layer is not None and source_layer not in layers:
        raise GeoError(N_("The file has no layer %(value)s; it has: %(choices)s."),
                       field="source_layer", value=source_layer, choices=", ".join(layers))
    chosen = None
    if path.suffix.lower() == ".shp":
        chosen = shapefile_encoding(path, encoding)
    try:
        # pyogrio's arrays, not a GeoDataFrame: the shapes stay WKB until they are checked
        meta, _, shapes, arrays = pyogrio.raw.read(
            path, layer=source_layer or layers[0], encoding=chosen.name if chosen else None,
            datetime_as_string=True)
    except UnicodeDecodeError:
        raise GeoError(N_("The text is not %(encoding)s; give the right encoding with "
                          "--encoding (UTF-8 or GBK)."), field="encoding",
                       encoding=chosen.name if chosen else "UTF-8") from None
    columns = [str(c) for c in meta["fields"]]
    data = {c: _as_read_dataframe(a, dtype, subtype) for c, a, dtype, subtype in zip(
        columns, arrays, meta["dtypes"], meta["ogr_subtypes"], strict=True)}
    crs = CRS.from_user_input(meta["crs"]) if meta["crs"] else None
    return Source(path, columns, data, shapes, crs, chosen, tabular=False, wkb=True)


def _as_read_dataframe(values: np.ndarray, dtype: str, subtype: str) -> np.ndarray | list:
    """Return a column as ``pyogrio.read_dataframe`` gives it: date-times parsed from their
    ISO text (offsets kept, mixed ones in UTC), JSON fields parsed."""
    if dtype.startswith("datetime"):
        import pandas as pd

        text = pd.Series(values, dtype=object)
        try:
            parsed = pd.to_datetime(text, format="ISO8601")
        except ValueError as error:
            if "Mixed timezones" not in str(error):
                return values  # not date-times after all: the text as it is
            parsed = pd.to_datetime(text, format="ISO8601", utc=True)
        return [_plain(v) for v in parsed.tolist()]
    if subtype == "OFSTJSON":
        try:
            return [None if v is None else json.loads(v) for v in values.tolist()]
        except ValueError:
            return values
    return values


def _plain(value: object) -> object:
    if type(value) is str:
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value != value:  # pandas' NaT (a missing date) equals nothing, not even itself
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        try:
            return value.to_pydatetime()
        except ValueError:
            return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _read_table(path: Path, sheet: str | None, encoding: str | None) -> Source:
    import pandas as pd

    chosen = None
    if path.suffix.lower() == ".csv":
        chosen = detect_encoding(path.read_bytes(), encoding)
        try:
            frame = pd.read_csv(path, encoding=chosen.python, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise GeoError(N_("The file is empty: a CSV file needs a header row and rows."),
                           field="file") from None
        except pd.errors.ParserError:
            raise GeoError(N_("The file cannot be read as CSV: check that every row has as "
                              "many columns as the header."), field="file") from None
    else:
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
        except ValueError:
            raise GeoError(N_("The workbook has no sheet %(value)s."), field="source_layer",
                           value=sheet) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    data = {c: [None if isinstance(v, str) and not v.strip() else v
                for v in _plain_column(frame[c])] for c in frame.columns}
    geometries, used = _table_geometries(list(frame.columns), data)
    columns = [c for c in frame.columns if c not in used]
    return Source(path, columns, {c: data[c] for c in columns}, geometries, None, chosen,
                  tabular=True, geometry_columns=used)


def _plain_column(series) -> list[object]:
    """Return a pandas column as plain Python values, None where a value is missing."""
    return [_plain(v) for v in series.tolist()]


def _table_geometries(columns: list[str], data: dict[str, list]
                      ) -> tuple[np.ndarray, tuple[str, ...]]:
    lower = {c.lower(): c for c in columns}
    wkt = next((lower[n] for n in WKT_NAMES if n in lower), None)
    if wkt is None:
        wkt = next((c for c in columns if any(isinstance(v, str) and _WKT.match(v)
                                              for v in data[c][:20])), None)
    if wkt is not None:
        texts = [v if isinstance(v, str) else None for v in data[wkt]]
        return shapely.from_wkt(texts, on_invalid="ignore"), (wkt,)
    lon = next((lower[n] for n in LON_NAMES if n in lower), None)
    lat = next((lower[n] for n in LAT_NAMES if n in lower), None)
    if lon is None or lat is None:
        raise GeoError(N_("The table has no geometry: add a WKT column (named WKT) or "
                          "longitude/latitude columns (经度, 纬度)."), field="file")
    points = np.empty(len(data[lon]), dtype=object)
    for i, (x, y) in enumerate(zip(data[lon], data[lat], strict=True)):
        try:
            points[i] = Point(float(x), float(y))
        except (TypeError, ValueError):
            points[i] = None
    return points, (lon, lat)
