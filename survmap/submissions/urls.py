from django.urls import path

from survmap.submissions import views

app_name = "submissions"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/correction/", views.submit_correction, name="correction"),
    path("submit/agencies.json", views.agency_lookup, name="agency_lookup"),
    path("submit/duplicates.json", views.duplicate_lookup, name="duplicate_lookup"),
    path("submissions/<slug:token>/", views.status, name="status"),
    path("submissions/<slug:token>/thanks/", views.thanks, name="thanks"),
]
