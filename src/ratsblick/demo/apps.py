from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`ratsblick demo`: the bundled councils on loopback replay servers.

    An app of its own because it wires everything together (replay servers,
    sync, files, index, web); the web app itself knows nothing of OParl.
    """

    name = "ratsblick.demo"
