"""Vendor fix-ups, chosen from the System object.

Each vendor class repairs what its product is known to get wrong, on a
record's `data` after flattening (the raw JSON stays as received). Generic
repairs that are correct for every server (typeless deleted entries, a
single object where a list was expected, `auxiliaryFile` as an object) live
in the walker and the flattener instead.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from ratsblick.oparl.records import Record
from ratsblick.oparl.schema import ObjectType

FILE_URL_FIELDS = ("accessUrl", "downloadUrl")
# Germany lies within these bounds; a Point whose first coordinate is a
# German latitude and second a German longitude has been written [lat, lon].
_LAT = (47.0, 55.5)
_LON = (5.5, 15.5)
_SHORT_MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "htm": "text/html",
    "html": "text/html",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}


class Quirks:
    """The behaviour of a server that follows the specification."""

    name: ClassVar[str] = "generic"
    # Words in the System's vendor, product, name or website that identify it.
    markers: ClassVar[tuple[str, ...]] = ()
    # Some servers answer 404 where an (empty) list is expected.
    list_404_is_empty: ClassVar[bool] = False

    @classmethod
    def matches(cls, system: dict[str, Any]) -> bool:
        values = [system.get(k) for k in ("vendor", "product", "name", "website")]
        text = " ".join(v for v in values if isinstance(v, str)).lower()
        return any(marker in text for marker in cls.markers)

    def fix(self, record: Record) -> None:
        """Repair `record.data` in place."""

    def query(self, params: dict[str, str]) -> str:
        return urlencode(params)

    def with_params(self, url: str, params: dict[str, str]) -> str:
        """`url` with `params` set, replacing any value they had."""
        parts = urlsplit(url)
        kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in params]
        query = "&".join([*kept, self.query(params)])
        return urlunsplit(parts._replace(query=query))


def _swap_if_lat_lon(geojson: object) -> object:
    if not isinstance(geojson, dict):
        return geojson
    geometry = geojson.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return geojson
    coords = geometry.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2):
        return geojson
    first, second = coords[0], coords[1]
    if not (isinstance(first, int | float) and isinstance(second, int | float)):
        return geojson
    if _LAT[0] <= first <= _LAT[1] and _LON[0] <= second <= _LON[1]:
        fixed_geometry = {**geometry, "coordinates": [second, first, *coords[2:]]}
        return {**geojson, "geometry": fixed_geometry}
    return geojson


_DOUBLE_SLASH = re.compile(r"(?<!:)//+")


class Sternberg(Quirks):
    """STERNBERG SD.NET RIM."""

    name = "sternberg"
    list_404_is_empty = True

    markers = ("sitzungsdienst", "sternberg")

    @classmethod
    def matches(cls, system: dict[str, Any]) -> bool:
        return super().matches(system) or any(key.startswith("STERNBERG:") for key in system)

    def fix(self, record: Record) -> None:
        data = record.data
        if record.type is ObjectType.BODY:
            ags = data.get("ags")
            if isinstance(ags, str) and ags.isdigit() and len(ags) == 7:
                data["ags"] = "0" + ags
        if "geojson" in data:
            data["geojson"] = _swap_if_lat_lon(data["geojson"])
        if record.type is ObjectType.FILE:
            for key in FILE_URL_FIELDS:
                url = data.get(key)
                if isinstance(url, str):
                    parts = urlsplit(url)
                    path = _DOUBLE_SLASH.sub("/", parts.path)
                    data[key] = urlunsplit(parts._replace(path=path))


_EMPTY = frozenset({"", "N/A", "n/a"})


def _drop_empty(value: Any) -> Any:
    if isinstance(value, list):
        return [v for v in value if not (isinstance(v, str) and v.strip() in _EMPTY)]
    return value


class CCEgov(Quirks):
    """CC e-gov ALLRIS: placeholder values and short MIME types."""

    name = "cc-egov"

    markers = ("cc-egov", "allris")

    def fix(self, record: Record) -> None:
        data = record.data
        for key in [k for k, v in data.items() if isinstance(v, str) and v.strip() in _EMPTY]:
            del data[key]
        for key, value in data.items():
            data[key] = _drop_empty(value)
        mime = data.get("mimeType")
        if isinstance(mime, str) and "/" not in mime:
            data["mimeType"] = _SHORT_MIME.get(mime.strip().lower().lstrip("."), mime)


class Somacos(Quirks):
    """Somacos SessionNet: rejects percent-encoded query strings."""

    name = "somacos"

    markers = ("somacos", "sessionnet")

    def query(self, params: dict[str, str]) -> str:
        return "&".join(f"{k}={v}" for k, v in params.items())


VENDORS: tuple[type[Quirks], ...] = (Sternberg, CCEgov, Somacos)


def quirks_for(system: dict[str, Any] | None) -> Quirks:
    for vendor in VENDORS:
        if system and vendor.matches(system):
            return vendor()
    return Quirks()
