"""Write the register's layers for other systems: GeoJSON, GeoPackage, Shapefile, CSV, XLSX.

Every format carries the same columns, named and labelled by the data dictionary.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from shapely.geometry import shape
from sqlalchemy.orm import Session

from geo.backends import BBox
from geo.crs import STORAGE_SRID, parse_crs
from geo.errors import N_, GeoError
from geo.features import Layer, collection_json, iter_layer
from geo.fields import DERIVED_FIELDS, Field

# format → (file name ending, media type)
FORMATS = {
    "geojson": (".geojson", "application/geo+json"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "shp.zip": (".shp.zip", "application/zip"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def format_for(path: str | Path) -> str:
    """Return the export format named by a file's extension.

    >>> format_for("idle.shp.zip"), format_for("x.GPKG")
    ('shp.zip', 'gpkg')
    """
    name = str(path).lower()
    for fmt, (ending, _) in FORMATS.items():
        if name.endswith(ending) or (fmt == "geojson" and name.endswith(".json")):
            return fmt
    raise GeoError(N_("%(value)s has no export format's extension; use one of: %(choices)s."),
                   field="output", value=Path(path).name,
                   choices=", ".join(e for e, _ in FORMATS.values()))


def geojson_chunks(session: Session, layer: Layer, filters: Mapping[str, list[str]] | None = None,
                   bbox: BBox | None = None) -> Iterator[str]:
    """Yield ``layer`` as an RFC 7946 FeatureCollection, streamed a batch at a time.

    Coordinates are lon/lat (EPSG:4490, which RFC 7946 treats as WGS84), outer rings
    counter-clockwise, and there is no ``crs`` member.
    """
    return collection_json(iter_layer(session, layer, filters, bbox=bbox), name=layer.name)


def write_geojson(session: Session, layer: Layer, path: str | Path, **query) -> int:
    """Write ``layer`` to ``path`` as GeoJSON; return the number of features written."""
    count = 0

    def counted() -> Iterator[str]:
        nonlocal count
        for feature in iter_layer(session, layer, query.get("filters"), bbox=query.get("bbox")):
            count += 1
            yield feature

    with open(path, "w", encoding="utf-8") as out:
        for chunk in collection_json(counted(), name=layer.name):
            out.write(chunk)
    return count


def export_columns(layer: Layer) -> tuple[Field, ...]:
    """Return the fields every tabular export of ``layer`` carries, in order."""
    derived = DERIVED_FIELDS if layer.entity == "parcel" else DERIVED_FIELDS[2:]
    return (*layer.fields, *derived)


def header(field: Field, headers: str) -> str:
    """Return a column's header: "zh" or "en" label, "names", or "dbf" (Shapefile) name."""
    if headers == "dbf":
        return field.dbf_name
    return field.name if headers == "names" else field.label(headers)


def layer_frame(session: Session, layer: Layer, *, headers: str = "zh", crs: str | None = None,
                bbox: BBox | None = None, filters: Mapping[str, list[str]] | None = None):
    """Return ``layer`` as a GeoDataFrame with the dictionary's columns, in ``crs``."""
    import geopandas as gpd

    columns = export_columns(layer)
    lang = "zh" if headers in ("dbf", "names") else headers
    records, geometries = [], []
    for text in iter_layer(session, layer, filters, bbox=bbox):
        feature = json.loads(text)
        props = feature["properties"]
        row = {}
        for f in columns:
            value = props.get(f.name)
            if f.kind == "choice" and headers != "names":
                value = f.choice_label(value, lang)
            elif f.kind == "json":
                value = json.dumps(value, ensure_ascii=False) if value else None
            row[header(f, headers)] = value
        records.append(row)
        geometries.append(shape(feature["geometry"]) if feature["geometry"] else None)
    frame = gpd.GeoDataFrame(records, columns=[header(f, headers) for f in columns],
                             geometry=geometries, crs=f"EPSG:{STORAGE_SRID}")
    if crs:
        target, gcj02 = parse_crs(crs)
        if gcj02:
            raise GeoError(N_("Exports are never written in GCJ-02."), field="crs")
        frame = frame.to_crs(target)
    return frame


def export_layer(session: Session, layer: Layer, fmt: str, path: str | Path, *,
                 headers: str = "zh", crs: str | None = None, bbox: BBox | None = None,
                 filters: Mapping[str, list[str]] | None = None) -> int:
    """Write ``layer`` to ``path`` in ``fmt`` (see FORMATS); return the features written."""
    import pyogrio

    if fmt == "geojson":
        if crs:
            raise GeoError(N_("GeoJSON is always longitude/latitude (RFC 7946); choose "
                              "GeoPackage, Shapefile, CSV or XLSX for another CRS."),
                           field="crs")
        return write_geojson(session, layer, path, filters=filters, bbox=bbox)
    frame = layer_frame(session, layer, headers="dbf" if fmt == "shp.zip" else headers,
                        crs=crs, bbox=bbox, filters=filters)
    if fmt == "gpkg":
        pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG")
    elif fmt == "shp.zip":
        _write_zipped_shapefile(frame, layer.name, Path(path))
    else:
        table = frame.drop(columns=frame.geometry.name)
        table["WKT"] = [g.wkt if g is not None else None for g in frame.geometry]
        if fmt == "csv":
            table.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            _xlsx_safe(table).to_excel(path, index=False, sheet_name=layer.name,
                                       engine="openpyxl")
    return len(frame)


def _xlsx_safe(table):
    """Return ``table`` with the control characters XLSX cannot hold taken out of its text.

    openpyxl refuses them (IllegalCharacterError: a 500 for a parcel whose name held one,
    issue 15); they are invisible in a cell anyway.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return table.apply(lambda column: column.map(
        lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v))


def _write_zipped_shapefile(frame, name: str, path: Path) -> None:
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="landmatch-export-") as folder:
        shp = Path(folder) / f"{name}.shp"
        # ENCODING writes the .cpg (UTF-8); the .prj comes from the frame's CRS.
        pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).iterdir()):
                archive.write(part, part.name)


def export_bytes(session: Session, layer: Layer, fmt: str, **options) -> bytes:
    """Return ``layer`` exported in ``fmt`` as bytes (for a download)."""
    with tempfile.TemporaryDirectory(prefix="landmatch-export-") as folder:
        path = Path(folder) / f"{layer.name}{FORMATS[fmt][0]}"
        export_layer(session, layer, fmt, path, **options)
        return path.read_bytes()
