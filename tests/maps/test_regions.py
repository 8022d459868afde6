import pytest

from survmap.geo.boundaries import Level, centroids, feature_collection
from survmap.maps.regions import region_counts
from survmap.records.models import Partnership
from tests.factories import AgencyFactory, PartnershipFactory


def test_county_outlines_cover_every_census_county_in_wgs84():
    collection = feature_collection(Level.COUNTY)
    features = collection["features"]
    assert len(features) == 3233
    macomb = next(f for f in features if f["properties"]["fips"] == "26099")
    assert macomb["properties"]["name"] == "Macomb County"
    lon, lat = centroids(Level.COUNTY)["26099"]
    assert -83.1 < lon < -82.6 and 42.4 < lat < 42.9


def test_state_outlines_include_the_territories():
    codes = {f["properties"]["state"] for f in feature_collection(Level.STATE)["features"]}
    assert {"AK", "HI", "PR", "GU", "VI", "AS", "MP", "DC"} <= codes


@pytest.mark.django_db
def test_region_counts_count_each_agency_once_per_region():
    agency = AgencyFactory(counties=["26099", "26125"])
    PartnershipFactory(agency=agency)
    PartnershipFactory(agency=agency)
    PartnershipFactory(agency=AgencyFactory(counties=["26099"]))
    PartnershipFactory(agency=AgencyFactory(counties=["26163"]), sources=[])
    public = Partnership.objects.public()
    assert region_counts(public, Level.COUNTY) == {"26099": 2, "26125": 1}
    assert region_counts(public, Level.STATE) == {"26": 2}
