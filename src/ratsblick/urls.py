from django.urls import include, path

urlpatterns = [
    path("", include("ratsblick.web.urls")),
    path("", include("ratsblick.ops.urls")),
    path("api/", include("ratsblick.api.urls")),
    path("oparl/", include("ratsblick.oparlout.urls")),
    path("", include("ratsblick.feeds.urls")),
    path("daten/", include("ratsblick.dumps.urls")),
    path("", include("ratsblick.alerts.urls")),
]
