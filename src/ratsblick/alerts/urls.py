from django.urls import URLPattern, URLResolver, path, re_path

from ratsblick.alerts import views

app_name = "alerts"
PK = r"(?P<pk>[0-9]{1,18})"
TOKEN = r"(?P<token>[A-Za-z0-9_-]{20,100})"
urlpatterns: list[URLPattern | URLResolver] = [
    path("benachrichtigung/suche/", views.save_search, name="save_search"),
    re_path(
        rf"^benachrichtigung/folgen/(?P<kind>vorlage|gremium|person)/{PK}/$",
        views.follow,
        name="follow",
    ),
    path("benachrichtigung/gesendet/", views.requested, name="requested"),
    re_path(rf"^benachrichtigung/bestaetigen/{TOKEN}/$", views.confirm, name="confirm"),
    path("benachrichtigungen/", views.lost_link, name="lost_link"),
    re_path(rf"^benachrichtigungen/{TOKEN}/$", views.manage, name="manage"),
    re_path(
        rf"^benachrichtigungen/{TOKEN}/abbestellen/{PK}/$", views.unsubscribe, name="unsubscribe"
    ),
    re_path(
        r"^betrieb/post/(?P<name>[A-Za-z0-9.@_-]{1,200}\.eml)$",
        views.folder_mail,
        name="folder_mail",
    ),
]
