from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.index, name="timeline"),
]
