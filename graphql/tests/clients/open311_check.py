"""Checks Civitas' Open311 GeoReport v2 endpoint (http://wiki.open311.org/GeoReport_v2) the way
the 311 apps and validators out there see it:

- every JSON answer, error bodies included, is validated with PyPI's jsonschema against the
  Open311 project's own schemas (vendored from open311/schema-validation, see the schema
  directory's README). Discovery and errors have no official schema, so two small ones written
  here from the spec text stand in for them;
- every XML answer is parsed (xml.etree) and must carry exactly the values of its JSON twin;
- PyPI's georeport client (an Open311 GeoReport v2 client used against real cities) reads the
  services, a service definition, the request list and one request;
- a request is posted as a form, in JSON and once in XML. Its token maps back to it, and the
  public view of it shows none of the reporter's contact data;
- a bad api_key, an unknown request and an unknown jurisdiction get the spec's errors.

Prints one line per check. Stops with exit status 1 at the first failure.

usage: open311_check.py <base-url ending in /open311/v2/> <jurisdiction_id> <api_key> <schema-dir>
"""

import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

from georeport import GeoReport
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

# What a reporter gives about themselves. None of it may show in the public view of a request.
CONTACT_FIELDS = ("email", "first_name", "last_name", "phone")
# The JSON and XML media types the spec names (application/xml is accepted too).
JSON_TYPES = {"application/json"}
XML_TYPES = {"text/xml", "application/xml"}

# No official schema covers these two documents. Both are written here from the spec text:
# errors from the GeoReport v2 page ("Errors"), discovery from the Service Discovery page.
ERRORS_SCHEMA = {
    "description": "GeoReport v2 error response: an array of {code, description}",
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "description": "the HTTP status code"},
            "description": {"type": "string", "minLength": 1},
        },
    },
}
DISCOVERY_SCHEMA = {
    "description": "Open311 Service Discovery document",
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string", "format": "uri"},
                    "url": {"type": "string", "format": "uri"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                },
            },
        },
    },
}
LOCAL_SCHEMAS = {"errors": ERRORS_SCHEMA, "discovery": DISCOVERY_SCHEMA}

# jsonschema checks "date-time" and "uri" only when optional packages are installed, so both
# are checked here. Dates are RFC 3339 with the offset the spec requires ("Z" or ±HH:MM).
FORMATS = FormatChecker(formats=())
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(re.sub(r"\.\d+", "", value).replace("Z", "+00:00"))  # a real date?
    return True


@FORMATS.checks("uri")
def is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


class Schemas:
    """The vendored schemas (under their file:// URIs, so that `"$ref": "request.json"` resolves)
    plus the two local ones. Names: a file ("services.json"), a file with a JSON pointer
    ("swagger.json#/definitions/TokenResponse"), or "errors" / "discovery"."""

    def __init__(self, directory):
        self.directory = Path(directory).resolve()
        registry = Registry()
        for path in sorted(self.directory.glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            if path.name != "swagger.json":  # swagger.json is an API description, not a schema
                Draft4Validator.check_schema(contents)
            registry = registry.with_resource(path.as_uri(), DRAFT4.create_resource(contents))
        for name, contents in LOCAL_SCHEMAS.items():
            Draft4Validator.check_schema(contents)
            registry = registry.with_resource(f"urn:civitas:open311:{name}", DRAFT4.create_resource(contents))
        self.registry = registry

    def uri(self, name):
        if name in LOCAL_SCHEMAS:
            return f"urn:civitas:open311:{name}"
        file, _, pointer = name.partition("#")
        path = self.directory / file
        assert path.is_file(), f"no schema {path}"
        return path.as_uri() + (f"#{pointer}" if pointer else "")

    def validate(self, instance, name, what):
        validator = Draft4Validator({"$ref": self.uri(name)}, registry=self.registry, format_checker=FORMATS)
        errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
        assert not errors, f"{what} is not valid against {name}:\n" + "\n".join(
            f"  at /{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors[:10]
        )
        print(f"schema ok: {what} against {name}")


class Server:
    """Plain HTTP to the endpoint. Never through a proxy: the server under test is local."""

    def __init__(self, base, jurisdiction):
        self.base = base
        self.jurisdiction = jurisdiction
        self.opener = build_opener(ProxyHandler({}))

    def call(self, method, path, query=None, form=None):
        url = self.base + path + (f"?{urlencode(query)}" if query else "")
        data = urlencode(form).encode("utf-8") if form is not None else None
        request = Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except HTTPError as error:
            return error.code, error.headers.get_content_type(), error.read()

    def fetch(self, method, path, statuses=(200,), query=None, form=None, jurisdiction=True):
        """One call, checked for status and media type. Returns the parsed body: JSON data for a
        `.json` path, the XML root element for an `.xml` path."""
        if jurisdiction:
            query = {"jurisdiction_id": self.jurisdiction, **(query or {})}
        status, media_type, body = self.call(method, path, query, form)
        what = f"{method} {path}"
        assert status in statuses, f"{what}: HTTP {status}, expected {statuses}: {body[:500]!r}"
        if path.endswith(".json"):
            assert media_type in JSON_TYPES, f"{what}: Content-Type {media_type}"
            return json.loads(body.decode("utf-8"))
        assert media_type in XML_TYPES, f"{what}: Content-Type {media_type}"
        assert body.lstrip().startswith(b"<?xml"), f"{what}: no XML declaration (the spec requires one)"
        return ET.fromstring(body)


# --- XML against JSON ---------------------------------------------------------------------------


def item_tag(wrapper):
    """The element name of one item inside an XML list wrapper (the spec's convention)."""
    return {"service_requests": "request"}.get(wrapper, wrapper[:-1] if wrapper.endswith("s") else wrapper)


def is_empty(value):
    return value is None or value == "" or value == []


def is_blank(element):
    return len(element) == 0 and not (element.text or "").strip()


def same_scalar(value, text):
    text = text or ""
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, (int, float)):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    if value is None:
        return text.strip() == ""
    return text == value


def compare(value, element, where):
    """Asserts that the XML element carries exactly the JSON value: an object's keys are child
    elements (null or empty values may be left out or left empty), a list is a wrapper
    element with one child per item, and a scalar is the element's text."""
    if isinstance(value, dict):
        children = {}
        for child in element:
            assert child.tag not in children, f"{where}: <{child.tag}> appears twice"
            children[child.tag] = child
        for key, item in value.items():
            child = children.pop(key, None)
            if child is None:
                assert is_empty(item), f"{where}: XML lacks <{key}>, JSON has {item!r}"
            else:
                compare(item, child, f"{where}/{key}")
        extra = [tag for tag, child in children.items() if not is_blank(child)]
        assert not extra, f"{where}: XML has {extra} that JSON lacks"
    elif isinstance(value, list):
        items = list(element)
        assert len(items) == len(value), f"{where}: {len(items)} XML items, {len(value)} JSON items"
        expected = item_tag(element.tag)
        for index, (item, child) in enumerate(zip(value, items)):
            assert child.tag == expected, f"{where}: item <{child.tag}>, expected <{expected}>"
            compare(item, child, f"{where}/{child.tag}[{index}]")
    else:
        assert len(element) == 0, f"{where}: XML has child elements, JSON has {value!r}"
        assert same_scalar(value, element.text), f"{where}: XML {element.text!r}, JSON {value!r}"


def xml_matches(label, json_value, root, root_tag):
    assert root.tag == root_tag, f"{label}: XML root <{root.tag}>, expected <{root_tag}>"
    compare(json_value, root, root_tag)
    print(f"xml matches json: {label}")


# --- the checks ---------------------------------------------------------------------------------


def require_objects(items, what):
    """The item schemas lack `"type": "object"`, so this is checked here."""
    assert isinstance(items, list) and items, f"{what}: expected a non-empty JSON array, got {items!r}"
    assert all(isinstance(item, dict) for item in items), f"{what}: not every item is an object"


def check_discovery(server, schemas):
    discovery = server.fetch("GET", "discovery.json", jurisdiction=False)
    schemas.validate(discovery, "discovery", "GET discovery.json")
    ours = urlsplit(server.base).path.rstrip("/")
    endpoints = [e for e in discovery["endpoints"] if urlsplit(e["url"]).path.rstrip("/") == ours]
    assert endpoints, f"discovery lists no endpoint at {ours}: {discovery['endpoints']}"
    endpoint = endpoints[0]
    assert "GeoReport_v2" in endpoint["specification"], endpoint
    assert {"text/xml", "application/json"} <= set(endpoint["formats"]), endpoint["formats"]
    print(f"discovery lists this endpoint: {endpoint['url']} ({endpoint['type']})")
    xml_matches("discovery", discovery, server.fetch("GET", "discovery.xml", jurisdiction=False), "discovery")


def check_services(server, schemas):
    services = server.fetch("GET", "services.json")
    require_objects(services, "GET services.json")
    schemas.validate(services, "services.json", "GET services.json")
    xml_matches("services", services, server.fetch("GET", "services.xml"), "services")
    print(f"services: {len(services)}, first: {services[0]['service_code']}")
    return services


def check_definition(server, schemas, code):
    path = f"services/{quote(code)}"
    definition = server.fetch("GET", f"{path}.json")
    assert isinstance(definition, dict), f"GET {path}.json: expected an object"
    schemas.validate(definition, "service-definition.json", f"GET {path}.json")
    assert definition["service_code"] == code, definition
    xml_matches(f"service definition {code}", definition, server.fetch("GET", f"{path}.xml"), "service_definition")


def post_form(code, api_key, jurisdiction, description):
    return {
        "api_key": api_key,
        "jurisdiction_id": jurisdiction,
        "service_code": code,
        "lat": "31.2304",
        "long": "121.4737",
        "description": description,
        "email": "open311.check@example.org",
        "first_name": "Ada",
        "last_name": "Checker",
        "phone": "+1 555 0100",
    }


def check_post_json(server, schemas, code, api_key, description):
    form = post_form(code, api_key, server.jurisdiction, description)
    posted = server.fetch("POST", "requests.json", statuses=(200, 201), form=form, jurisdiction=False)
    require_objects(posted, "POST requests.json")
    assert len(posted) == 1, f"POST requests.json: {len(posted)} items, expected 1"
    schemas.validate(posted[0], "swagger.json#/definitions/RequestResponse", "POST requests.json [0]")
    assert posted[0].get("service_request_id") and posted[0].get("token"), posted
    print(f"posted: {posted[0]['service_request_id']}")
    return posted[0]["service_request_id"], posted[0]["token"]


def check_token(server, schemas, token, request_id):
    path = f"tokens/{quote(token)}"
    found = server.fetch("GET", f"{path}.json")
    require_objects(found, f"GET {path}.json")
    assert len(found) == 1, f"GET {path}.json: {len(found)} items, expected 1"
    schemas.validate(found[0], "swagger.json#/definitions/TokenResponse", f"GET {path}.json [0]")
    assert found[0]["service_request_id"] == request_id, f"token maps to {found[0]}, not {request_id}"
    assert found[0].get("token", token) == token, found
    xml_matches("token", found, server.fetch("GET", f"{path}.xml"), "service_requests")
    print(f"token maps to: {request_id}")


def check_request(server, schemas, request_id):
    """GET requests/{id}: an array of exactly one request, as the spec (and georeport) have it."""
    path = f"requests/{quote(request_id)}"
    found = server.fetch("GET", f"{path}.json")
    require_objects(found, f"GET {path}.json")
    assert len(found) == 1, f"GET {path}.json: {len(found)} items, expected 1"
    schemas.validate(found, "requests.json", f"GET {path}.json")
    assert found[0]["service_request_id"] == request_id, found[0]
    leaked = [field for field in CONTACT_FIELDS if field in found[0]]
    assert not leaked, f"GET {path}.json shows contact fields {leaked}"
    xml_matches(f"request {request_id}", found, server.fetch("GET", f"{path}.xml"), "service_requests")
    return found[0]


def check_posted_request(server, schemas, request_id, code, description):
    request = check_request(server, schemas, request_id)
    assert request["description"] == description, f"description {request['description']!r}"
    assert request["service_code"] == code and request["status"] == "open", request
    if request.get("lat") is not None:
        assert abs(request["lat"] - 31.2304) < 1e-6 and abs(request["long"] - 121.4737) < 1e-6, request
    print(f"posted request shows no contact data, description kept: {request_id}")


def check_request_list(server, schemas, posted_id):
    requests = server.fetch("GET", "requests.json")
    require_objects(requests, "GET requests.json")
    schemas.validate(requests, "requests.json", "GET requests.json")
    leaked = [(item["service_request_id"], field) for item in requests for field in CONTACT_FIELDS if field in item]
    assert not leaked, f"GET requests.json shows contact fields {leaked}"
    assert posted_id in [item["service_request_id"] for item in requests], f"{posted_id} not listed"
    xml_matches("requests", requests, server.fetch("GET", "requests.xml"), "service_requests")
    print(f"requests: {len(requests)}, including the posted one")
    return requests


def check_georeport(base, jurisdiction, api_key, services, requests):
    """The real client: PyPI georeport (reads only; it cannot post)."""
    host = urlsplit(base).hostname
    for name in ("NO_PROXY", "no_proxy"):  # georeport uses requests, which reads proxy settings
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), host]))
    client = GeoReport(base, jurisdiction=jurisdiction, api_key=api_key, output_format="json")
    listed = client.get_service_list()
    assert [s["service_code"] for s in listed] == [s["service_code"] for s in services], listed
    print(f"georeport services: {len(listed)}")
    code = services[0]["service_code"]
    definition = client.get_service_definition(code)
    assert definition["service_code"] == code, definition
    print(f"georeport definition: {definition['service_code']}")
    found = client.get_service_requests()
    assert [r["service_request_id"] for r in found] == [r["service_request_id"] for r in requests], found
    print(f"georeport requests: {len(found)}")
    request_id = requests[0]["service_request_id"]
    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == requests[0]["status"], one
    print(f"georeport request: {one['service_request_id']}")

    # The same client on XML (it parses with xmltodict: one item comes back as a dict, not a list).
    as_list = lambda value: value if isinstance(value, list) else [value]
    xml_client = GeoReport(base, jurisdiction=jurisdiction, api_key=api_key, output_format="xml")
    listed = as_list(xml_client.get_service_list())
    assert [s["service_code"] for s in listed] == [s["service_code"] for s in services], listed
    print(f"georeport (xml) services: {len(listed)}")
    one = xml_client.get_service_request(request_id)
    assert one["service_request_id"] == request_id, one
    print(f"georeport (xml) request: {one['service_request_id']}")


def check_post_xml(server, code, api_key):
    form = post_form(code, api_key, server.jurisdiction, "Posted as XML by open311_check.py")
    root = server.fetch("POST", "requests.xml", statuses=(200, 201), form=form, jurisdiction=False)
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"], ET.tostring(root)
    request_id = root.findtext("request/service_request_id")
    token = root.findtext("request/token")
    assert request_id and token, ET.tostring(root)
    mapped = server.fetch("GET", f"tokens/{quote(token)}.json")
    assert mapped[0]["service_request_id"] == request_id, mapped
    print(f"posted (xml): {request_id}, token maps to: {request_id}")


def check_error(server, schemas, label, status, method, path, query=None, form=None, jurisdiction=True):
    body = server.fetch(method, path, (status,), query, form, jurisdiction)
    schemas.validate(body, "errors", f"{method} {path} ({label})")
    assert all(error["code"] == status for error in body), f"codes {[e['code'] for e in body]} != {status}"
    if method == "GET":
        xml_path = path[: -len(".json")] + ".xml"
        xml_matches(f"errors {status}", body, server.fetch(method, xml_path, (status,), query, form, jurisdiction), "errors")
    print(f"error {status} ok ({label})")


def check_errors(server, schemas, code):
    form = post_form(code, "not-a-valid-key", server.jurisdiction, "Must be refused: bad api_key")
    check_error(server, schemas, "bad api_key", 403, "POST", "requests.json", form=form, jurisdiction=False)
    check_error(server, schemas, "unknown request", 404, "GET", "requests/DOES-NOT-EXIST.json")
    unknown = {"jurisdiction_id": "NO-SUCH-JURISDICTION"}
    check_error(server, schemas, "unknown jurisdiction", 404, "GET", "services.json", query=unknown, jurisdiction=False)


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    base, jurisdiction, api_key, schema_dir = argv[1:]
    assert base.endswith("/open311/v2/"), f"base URL must end in /open311/v2/: {base}"
    schemas = Schemas(schema_dir)
    server = Server(base, jurisdiction)

    check_discovery(server, schemas)
    services = check_services(server, schemas)
    code = services[0]["service_code"]
    check_definition(server, schemas, code)
    description = f"Straßenlaterne flackert, posted by open311_check.py at {time.time():.0f}"
    request_id, token = check_post_json(server, schemas, code, api_key, description)
    check_token(server, schemas, token, request_id)
    check_posted_request(server, schemas, request_id, code, description)
    requests = check_request_list(server, schemas, request_id)
    check_request(server, schemas, requests[0]["service_request_id"])
    print(f"request read back: {requests[0]['service_request_id']}")
    check_georeport(base, jurisdiction, api_key, services, requests)
    check_post_xml(server, code, api_key)
    check_errors(server, schemas, code)
    print("all checks passed")


if __name__ == "__main__":
    try:
        main(sys.argv)
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
