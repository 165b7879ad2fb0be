"""The REST API under /api/v1/ (django-ninja, OpenAPI 3.1). Each app owns its endpoints module."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Reallabor API",
    version="1.0.0",
    urls_namespace="api",
)
