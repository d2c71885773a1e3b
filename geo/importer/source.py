"""Open a file the bureau sends: Shapefile (zipped or not), GeoPackage, GeoJSON, CSV, XLSX."""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import N_, GeoError
from geo.importer.encoding import Encoding, detect_encoding, shapefile_encoding

GDAL_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "图形", "空间坐标")
LON_NAMES = ("经度", "lon", "lng", "longitude")
LAT_NAMES = ("纬度", "lat", "latitude")
_WKT = re.compile(r"^\s*(MULTI)?(POLYGON|POINT|LINESTRING)\b", re.I)


@dataclass
class Source:
    """A file's rows: attributes by column, one geometry each, and how the file was read."""

    path: Path
    columns: list[str]
    rows: list[dict[str, object]]
    geometries: list[BaseGeometry | None]
    file_crs: CRS | None
    encoding: Encoding | None
    tabular: bool  # CSV/XLSX: report spreadsheet lines (the header is line 1)
    geometry_columns: tuple[str, ...] = ()
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def line(self, index: int) -> int:
        """Return the number a user sees for row ``index`` (0-based): record or sheet line."""
        return index + (2 if self.tabular else 1)


def open_source(path: str | Path, source_layer: str | None = None,
                encoding: str | None = None) -> Source:
    """Read every row of ``path``; a zip is unpacked into a temporary folder first."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        folder = Path(tempfile.mkdtemp(prefix="landmatch-import-"))
        try:
            inner = _unzip(path, folder, source_layer)
            source = open_source(inner, None, encoding)
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


def _unzip(path: Path, folder: Path, source_layer: str | None) -> Path:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX")]
            for name in names:
                target = (folder / name).resolve()
                if folder.resolve() not in target.parents:  # no "../" escapes
                    continue
                if not name.endswith("/"):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
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
        frame = pyogrio.read_dataframe(path, layer=source_layer or layers[0],
                                       encoding=chosen.name if chosen else None)
    except UnicodeDecodeError:
        raise GeoError(N_("The text is not %(encoding)s; give the right encoding with "
                          "--encoding (UTF-8 or GBK)."), field="encoding",
                       encoding=chosen.name if chosen else "UTF-8") from None
    columns = [c for c in frame.columns if c != frame.geometry.name]
    rows = [{c: _plain(v) for c, v in zip(columns, values, strict=True)}
            for values in frame[columns].itertuples(index=False, name=None)]
    geometries = [None if g is None else g for g in frame.geometry]
    return Source(path, columns, rows, geometries, frame.crs, chosen, tabular=False)


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp; NaT is caught below
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
        frame = pd.read_csv(path, encoding=chosen.python, dtype=str, keep_default_na=False)
    else:
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
        except ValueError:
            raise GeoError(N_("The workbook has no sheet %(value)s."), field="source_layer",
                           value=sheet) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = [{c: _plain(v) for c, v in zip(frame.columns, values, strict=True)}
            for values in frame.itertuples(index=False, name=None)]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str) and not value.strip():
                row[key] = None
    geometries, used = _table_geometries(list(frame.columns), rows)
    columns = [c for c in frame.columns if c not in used]
    return Source(path, columns, rows, geometries, None, chosen, tabular=True,
                  geometry_columns=used)


def _table_geometries(columns: list[str], rows: list[dict]) -> tuple[list, tuple[str, ...]]:
    lower = {c.lower(): c for c in columns}
    wkt = next((lower[n] for n in WKT_NAMES if n in lower), None)
    if wkt is None:
        wkt = next((c for c in columns if any(isinstance(r[c], str) and _WKT.match(r[c])
                                              for r in rows[:20])), None)
    if wkt is not None:
        texts = [r[wkt] if isinstance(r[wkt], str) else None for r in rows]
        geometries = shapely.from_wkt(texts, on_invalid="ignore")
        return [None if g is None else g for g in geometries], (wkt,)
    lon = next((lower[n] for n in LON_NAMES if n in lower), None)
    lat = next((lower[n] for n in LAT_NAMES if n in lower), None)
    if lon is None or lat is None:
        raise GeoError(N_("The table has no geometry: add a WKT column (named WKT) or "
                          "longitude/latitude columns (经度, 纬度)."), field="file")
    points: list[BaseGeometry | None] = []
    for r in rows:
        try:
            points.append(Point(float(r[lon]), float(r[lat])))
        except (TypeError, ValueError):
            points.append(None)
    return points, (lon, lat)
