from django.urls import path

from survmap.web import about, sharing, takeaway, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("table/", views.table, name="table"),
    path("about/", about.about, name="about"),
    path("map.html", takeaway.map_html, name="map_html"),
    path("embed/", takeaway.embed, name="embed"),
    path("sharing/", sharing.sharing_map, name="sharing_map"),
    path("search/", views.search_json, name="search"),
    path("map/counts.json", views.map_counts, name="map_counts"),
    path("map/<slug:level>.<slug:digest>.topojson", views.map_geometry, name="map_geometry"),
    path("regions/<str:fips>/", views.region, name="region"),
    path("regions/<str:fips>/share.png", takeaway.region_share_image, name="region_share_image"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("technologies/<slug:slug>/", views.technology_detail, name="technology"),
    path("policy-events/<int:pk>/", views.policy_event_detail, name="policy_event"),
    path(
        "technologies/<slug:slug>/share.png",
        takeaway.technology_share_image,
        name="technology_share_image",
    ),
]
