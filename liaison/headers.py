"""Response headers beyond Django's SecurityMiddleware: the Content-Security-Policy (Django's
middleware and SECURE_CSP, with the map tile server allowed for images) and Permissions-Policy
(LIAISON_PERMISSIONS_POLICY). Both policies are settings in liaison/settings/base.py; the Server
header is set by gunicorn.conf.py.
"""

from django.conf import settings
from django.middleware import csp


def tile_source(url: str) -> str | None:
    """The map tiles' origin: `https://{s}.tile.example.org/{z}/...` -> `https://*.tile.example.org`;
    None for tiles served by this site ('self' covers them)."""
    scheme, _, rest = url.partition("://")
    if not rest:
        return None
    labels = rest.split("/", 1)[0].split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{scheme}://{'.'.join(labels)}"


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware; img-src also allows the tile server of MAP_TILE_URL as it is when
    the response is sent (the maps of the directory, a station's page and the desk)."""

    def process_response(self, request, response):
        source = tile_source(settings.MAP_TILE_URL)
        if source and settings.SECURE_CSP and not hasattr(response, "_csp_config"):
            config = dict(settings.SECURE_CSP)
            config["img-src"] = [*config.get("img-src", []), source]
            response._csp_config = config
        return super().process_response(request, response)


def permissions_policy(features: dict[str, list[str]]) -> str:
    """{"camera": [], "clipboard-write": ["self"]} -> 'camera=(), clipboard-write=(self)'."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.LIAISON_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
