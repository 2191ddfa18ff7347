from django.urls import path

from ratsblick.web import views

app_name = "web"
urlpatterns = [
    path("", views.index, name="index"),
    path("body/<int:pk>/", views.body_detail, name="body"),
    path("datei/<int:pk>/", views.file_detail, name="file"),
    path("suche/", views.search, name="search"),
]
