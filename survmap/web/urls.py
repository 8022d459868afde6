from django.urls import path

from survmap.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("technologies/<slug:slug>/", views.technology_detail, name="technology"),
]
