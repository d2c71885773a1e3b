"""CGCS2000 Gauss–Krüger zones and reprojection."""

import pytest
from shapely.geometry import Point

from geo.crs import gk_epsg, reproject, to_storage


@pytest.mark.parametrize(("cm", "prefixed", "epsg"), [
    (111, True, 4525), (111, False, 4546), (75, True, 4513), (135, True, 4533),
    (75, False, 4534), (135, False, 4554),
])
def test_gk_epsg_follows_the_published_code_ranges(cm, prefixed, epsg):
    assert gk_epsg(cm, prefixed) == epsg


def test_gk_epsg_refuses_a_meridian_that_is_no_3_degree_zone():
    with pytest.raises(ValueError, match="112"):
        gk_epsg(112, False)


def test_zone_prefixed_and_bare_eastings_land_on_the_same_point():
    with_zone = to_storage(Point(37_540_000, 3_970_000), 4525)
    bare = to_storage(Point(540_000, 3_970_000), 4546)
    assert with_zone.distance(bare) < 1e-9
    # Xiangfen lies at about 111.4°E 35.9°N.
    assert 111.3 < with_zone.x < 111.6 and 35.7 < with_zone.y < 36.0


def test_reprojection_round_trips_to_the_millimetre():
    p = Point(111.442, 35.877)
    back = reproject(reproject(p, 4490, 4525), 4525, 4490)
    assert back.distance(p) < 1e-8
