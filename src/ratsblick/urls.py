from django.urls import include, path

urlpatterns = [
    path("", include("ratsblick.web.urls")),
    path("", include("ratsblick.ops.urls")),
]
