from django.urls import include, path

urlpatterns = [path("", include("ratsblick.web.urls"))]
