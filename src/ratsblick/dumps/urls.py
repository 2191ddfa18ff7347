from django.urls import URLPattern, URLResolver

app_name = "dumps"
urlpatterns: list[URLPattern | URLResolver] = []
