from django.urls import path

from survmap.changelog import views
from survmap.changelog.feeds import ChangesFeed

app_name = "changelog"

urlpatterns = [
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", ChangesFeed(), name="feed"),
]
