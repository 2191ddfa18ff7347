from django.contrib.auth import views as auth_views
from django.urls import path

from ratsblick.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("betrieb/", views.status_page, name="status"),
    path("betrieb/erneut/", views.retry_dead_letters, name="retry"),
    path(
        "betrieb/anmelden/",
        auth_views.LoginView.as_view(template_name="ops/login.html"),
        name="login",
    ),
    path("betrieb/abmelden/", auth_views.LogoutView.as_view(), name="logout"),
]
