"""Open311 GeoReport v2 under /open311/v2/, for 12345 hotlines and city platforms.

- `auth`: API keys (one per `ApiClient`, scoped by its jurisdiction).
- `selectors`: what a client may read, and each item as the spec's `request` record.
- `services`: filing an item (through `petitions.ledger.services.petition_register`).
- `render`: the spec's JSON and XML shapes, and its error bodies.
- `views`, `urls`: thin views; `openapi.json`: the published document of the API.

Protocol texts (error descriptions, service notices) are English like the spec and are
not translated: clients parse them, people do not read them in the interface.
"""
