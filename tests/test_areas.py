"""Areas on the CGCS2000 ellipsoid and the bureau's units."""

import pytest
from pyproj import Geod
from shapely import segmentize
from shapely.geometry import Polygon, box

from geo.areas import ellipsoidal_area_m2, m2_to_ha, m2_to_mu, mu_to_m2
from geo.crs import reproject

# A 300 m x 200 m rectangle in CGCS2000 GK zone 37 (EPSG:4525, zone prefix in the easting),
# 45 km east of the central meridian, near Xiangfen.
X0, Y0 = 37_545_000.0, 3_970_000.0
RECT_GK = box(X0, Y0, X0 + 300.0, Y0 + 200.0)


def _rectangle_lonlat() -> Polygon:
    # Densify so that straight GK edges stay straight enough once in lon/lat.
    return reproject(segmentize(RECT_GK, 5.0), 4525, 4490)


def test_area_matches_pyproj_geodesic_area_of_gk_rectangle():
    lonlat = _rectangle_lonlat()
    lons, lats = lonlat.exterior.coords.xy
    expected, _ = Geod(ellps="GRS80").polygon_area_perimeter(lons, lats)
    assert ellipsoidal_area_m2(lonlat) == pytest.approx(abs(expected), rel=1e-9)


def test_area_is_plane_area_divided_by_gauss_kruger_scale_squared():
    # Independent of pyproj's geodesics: GK's point scale factor at 45 km from the central
    # meridian is k = 1 + x²/(2R²); a plane area is k² times the ellipsoidal one.
    x = (X0 + 150.0) - 37_500_000.0
    k = 1 + x**2 / (2 * 6_371_000.0**2)
    assert ellipsoidal_area_m2(_rectangle_lonlat()) == pytest.approx(60_000.0 / k**2, rel=2e-6)


def test_area_differs_from_plane_area_as_stack_md_measured():
    # docs/stack.md trap 6: GK plane and ellipsoid differ by a few parts in 1e5, never more.
    area = ellipsoidal_area_m2(_rectangle_lonlat())
    assert 0 < 60_000.0 - area < 60_000.0 * 1e-4


def test_area_ignores_ring_orientation_and_subtracts_holes():
    outer = box(111.40, 35.85, 111.41, 35.86)
    hole = box(111.402, 35.852, 111.404, 35.854)
    with_hole = Polygon(outer.exterior.coords, [hole.exterior.coords])
    assert ellipsoidal_area_m2(outer.reverse()) == pytest.approx(ellipsoidal_area_m2(outer))
    assert ellipsoidal_area_m2(with_hole) == pytest.approx(
        ellipsoidal_area_m2(outer) - ellipsoidal_area_m2(hole))


def test_units_follow_the_bureau_definitions():
    assert m2_to_mu(10000 / 15) == pytest.approx(1.0)
    assert m2_to_mu(10_000) == pytest.approx(15.0)
    assert m2_to_ha(10_000) == 1.0
    assert mu_to_m2(15) == pytest.approx(10_000)
