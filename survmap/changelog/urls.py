from django.urls import path

from survmap.changelog import views
from survmap.changelog.feeds import AgencyFeed, ChangesFeed, RegionFeed, TechnologyFeed

app_name = "changelog"

urlpatterns = [
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", ChangesFeed(), name="feed"),
    # Follow one part of the record (linked from its page as "Follow these changes").
    path("regions/<str:fips>/changes.atom", RegionFeed(), name="region_feed"),
    path("agencies/<int:pk>/changes.atom", AgencyFeed(), name="agency_feed"),
    path("technologies/<slug:slug>/changes.atom", TechnologyFeed(), name="technology_feed"),
]
