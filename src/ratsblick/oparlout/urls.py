from django.urls import URLPattern, URLResolver

app_name = "oparlout"
urlpatterns: list[URLPattern | URLResolver] = []
