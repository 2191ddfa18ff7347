from django.urls import URLPattern, URLResolver, path

from ratsblick.oparlout import views

app_name = "oparlout"
urlpatterns: list[URLPattern | URLResolver] = [
    path("v1.1/", views.system, name="system"),
    path("v1.1/body/", views.bodies, name="bodies"),
    path("v1.1/body/<pk:pk>/<slug:name>/", views.body_list, name="list"),
    path("v1.1/<slug:name>/<pk:pk>/", views.object_detail, name="object"),
]
