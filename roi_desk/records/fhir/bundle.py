"""Reading a FHIR bundle: check it is one, key and resolve its resources, its patients,
its attachments (inline base64 or a Binary in the bundle)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from collections.abc import Mapping
from typing import Any

from roi_desk.errors import DocumentError
from roi_desk.records.fhir_values import (
    JsonObj,
    concept_codes,
    human_name,
    obj,
    objs,
    parse_date,
    string,
)
from roi_desk.records.kinds import PatientInfo


def read_bundle(data: bytes | str) -> JsonObj:
    """Parse and check that ``data`` is a FHIR Bundle; a clear :class:`DocumentError` if not."""
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(
            "This file is not valid JSON, so it cannot be a FHIR export.",
            detail=f"JSON error at character {getattr(exc, 'pos', '?')}.",
        ) from None
    except RecursionError:
        # json nests one Python call per bracket: a file of 200,000 "[" would otherwise
        # end the import with a traceback. No real FHIR export nests more than a few dozen.
        raise DocumentError(
            "This file is nested far too deeply to be a FHIR export (lists inside lists "
            "thousands of levels down), so it was not read. Ask the sender for a fresh export.",
        ) from None
    if not isinstance(parsed, Mapping) or "resourceType" not in parsed:
        raise DocumentError(
            "This JSON file is not a FHIR export: it has no resourceType.",
            detail="Expected a FHIR R4 Bundle (an EHR export or a patient-access download).",
        )
    if parsed.get("resourceType") != "Bundle":
        raise DocumentError(
            "This FHIR file holds a single resource, not a Bundle of records.",
            detail=f"Found resourceType {str(parsed.get('resourceType'))[:40]!r}.",
        )
    if not isinstance(parsed.get("entry", []), list):
        raise DocumentError("This FHIR Bundle is damaged: its entry list is not a list.")
    return parsed


def resource_key(resource: JsonObj, full_url: str | None) -> str:
    """Stable key of a resource: ``fhir:<Type>/<id>``, else its fullUrl, else a content hash."""
    rtype = string(resource.get("resourceType")) or "Resource"
    rid = string(resource.get("id"))
    if rid:
        return f"fhir:{rtype}/{rid}"
    if full_url:
        return f"fhir:{rtype}:{full_url}"
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()[:24]
    return f"fhir:{rtype}:sha256:{digest}"


class BundleIndex:
    """Resolves references inside one bundle (fullUrl, Type/id, absolute URLs)."""

    def __init__(self) -> None:
        self._by_ref: dict[str, JsonObj] = {}
        self.keys: dict[int, str] = {}

    def add(self, resource: JsonObj, full_url: str | None) -> str:
        key = resource_key(resource, full_url)
        self.keys[id(resource)] = key
        rtype = string(resource.get("resourceType"))
        rid = string(resource.get("id"))
        if full_url:
            self._by_ref.setdefault(full_url, resource)
        if rtype and rid:
            self._by_ref.setdefault(f"{rtype}/{rid}", resource)
        return key

    def key(self, resource: JsonObj) -> str:
        return self.keys[id(resource)]

    def resolve(self, ref: Any) -> JsonObj | None:
        text = string(obj(ref).get("reference"))
        if not text or "?" in text:
            # conditional references (Practitioner?identifier=...) never resolve locally
            return None
        if text in self._by_ref:
            return self._by_ref[text]
        text = re.sub(r"/_history/[^/]+$", "", text)
        parts = text.rstrip("/").split("/")
        if len(parts) >= 2:
            return self._by_ref.get(f"{parts[-2]}/{parts[-1]}")
        return None

    def display(self, ref: Any) -> str | None:
        """A referenced party's name: the resolved resource's name, else the display text."""
        target = self.resolve(ref)
        if target is not None:
            rtype = target.get("resourceType")
            if rtype in ("Practitioner", "Patient", "RelatedPerson"):
                name = human_name(target.get("name"), with_prefix=True)
                if name:
                    return name
            name = string(target.get("name"))
            if name:
                return name
            if rtype == "PractitionerRole":
                return self.display(target.get("practitioner")) or self.display(
                    target.get("organization")
                )
        return string(obj(ref).get("display"))


def patient_info(resource: JsonObj, key: str) -> PatientInfo:
    mrn = None
    for ident in objs(resource.get("identifier")):
        if "MR" in concept_codes(ident.get("type")):
            mrn = string(ident.get("value"))
            break
    return PatientInfo(
        name=human_name(resource.get("name")) or "Name not recorded",
        birth_date=parse_date(resource.get("birthDate")),
        mrn=mrn,
        gender=string(resource.get("gender")),
        deceased=parse_date(resource.get("deceasedDateTime")),
        source_key=key,
    )


def bundle_patients(data: bytes | str | JsonObj) -> list[PatientInfo]:
    """The patients a bundle holds, for a "which patient?" chooser."""
    bundle = data if isinstance(data, Mapping) else read_bundle(data)
    out = []
    for entry in objs(bundle.get("entry")):
        res = obj(entry.get("resource"))
        if res.get("resourceType") == "Patient":
            out.append(patient_info(res, resource_key(res, string(entry.get("fullUrl")))))
    return out


def decode_attachment(att: JsonObj, index: BundleIndex) -> tuple[str, bytes] | None:
    """(content type, bytes) of an attachment: inline base64, or a Binary in the bundle."""
    ctype = (string(att.get("contentType")) or "application/octet-stream").lower()
    raw = att.get("data")
    if raw is None:
        url = string(att.get("url"))
        target = index.resolve({"reference": url}) if url else None
        if target is None or target.get("resourceType") != "Binary":
            return None
        raw = target.get("data")
        ctype = (string(target.get("contentType")) or ctype).lower()
    if not isinstance(raw, str):
        return None
    try:
        return ctype, base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        return None


def attachment_text(ctype: str, payload: bytes) -> str | None:
    if not ctype.startswith("text/"):
        return None
    m = re.search(r"charset=([\w-]+)", ctype)
    encoding = m.group(1) if m else "utf-8"
    try:
        text = payload.decode(encoding, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    if "html" in ctype:
        text = re.sub(r"<(br|/p|/div|/h\d|/li)\s*/?>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.strip() or None
