from django.contrib.auth import views as auth_views
from django.urls import path

from survmap.research import views

app_name = "research"

urlpatterns = [
    path("research/", views.tasks, name="tasks"),
    path("research/tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("research/claims/<slug:token>/", views.claimed, name="claimed"),
    path("research/claims/<slug:token>/release/", views.release, name="release"),
    path("research/checks/<slug:token>/", views.check_status, name="status"),
    path("research/mine/", views.mine, name="mine"),
    path(
        "research/login/",
        auth_views.LoginView.as_view(
            template_name="research/login.html", next_page="research:mine"
        ),
        name="login",
    ),
    path("research/signup/", views.signup, name="signup"),
    path("research/coverage.json", views.map_coverage, name="map_coverage"),
]
