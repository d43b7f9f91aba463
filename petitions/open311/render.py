"""The spec's two formats: a JSON array of records, or XML with a root element, one
element per record and one child per field (empty when the value is None).

Lists inside a record (`endpoints`, `formats`, `attributes`, `values`) nest in XML as
<endpoints><endpoint>…</endpoint></endpoints>.
"""

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element of each item of a nested list.
ITEM_TAGS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class ApiError(Exception):
    """An answer the spec shapes as [{"code": …, "description": …}]."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after  # seconds, sent as Retry-After (429)


# Characters XML 1.0 cannot carry at all; typed text may hold them (pasted control codes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element, key, value):
    child = ET.SubElement(element, key)
    if value is None:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(child, k, v)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(key, "item")
        for item in value:
            _fill(child, tag, item)
    else:
        child.text = _text(value)


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _document(top) -> bytes:
    # The declaration exactly as the spec shows it (ElementTree's own uses single quotes).
    return (XML_DECLARATION + ET.tostring(top, encoding="unicode")).encode("utf-8")


def to_xml(root: str, item: str, records: list[dict]) -> bytes:
    top = ET.Element(root)
    for record in records:
        _fill(top, item, record)
    return _document(top)


def respond(fmt: str, records, *, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    """A list of records (`root`/`item` name the XML elements), or one dict as the XML root's content."""
    if fmt == "xml":
        if isinstance(records, dict):  # one document (discovery, a service definition)
            top = ET.Element(root)
            for k, v in records.items():
                _fill(top, k, v)
            body = _document(top)
        else:
            body = to_xml(root, item, records)
    else:
        body = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["json"]))


def error(fmt: str, code: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": code, "description": description}], root="errors", item="error", status=code)
