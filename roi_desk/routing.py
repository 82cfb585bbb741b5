"""Requests that belong elsewhere: redirect them with a referral instead of filling them.

Billing records, pharmacy records, radiology images, films and CDs, cardiac images,
mammograms, and birth and death certificates are kept by other departments or by the city
registry. The desk logs such a request as *redirected* and sends a referral letter. The
table of destinations is data (``data/routing.json``) that an administrator edits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from roi_desk.errors import ValidationError

__all__ = [
    "REDIRECTED",
    "Referral",
    "Route",
    "RoutingDecision",
    "load_routes",
    "parse_routes",
    "route_request",
]

#: the request status a fully redirected request is logged with
REDIRECTED = "redirected"


@dataclass(frozen=True)
class Route:
    code: str
    label: str
    destination: str
    contact: str
    #: "department" (inside the hospital) or "registry" (the city registry)
    kind: str


@dataclass(frozen=True)
class Referral:
    route: Route
    #: the sentence for the referral letter and for the phone
    text: str


@dataclass(frozen=True)
class RoutingDecision:
    referrals: tuple[Referral, ...]
    #: the requested items the ROI desk fills itself
    remaining: tuple[str, ...]

    @property
    def redirected(self) -> bool:
        """Nothing is left for the desk: log the request as redirected."""
        return bool(self.referrals) and not self.remaining

    @property
    def status(self) -> str | None:
        return REDIRECTED if self.redirected else None


def parse_routes(data: Mapping[str, Any]) -> list[Route]:
    raw_list = data.get("routes")
    if not isinstance(raw_list, list):
        raise ValidationError("The routing table has no list of routes.")
    out: list[Route] = []
    for raw in raw_list:
        try:
            route = Route(
                code=str(raw["code"]),
                label=str(raw["label"]),
                destination=str(raw["destination"]),
                contact=str(raw.get("contact", "")),
                kind=str(raw.get("kind", "department")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValidationError(
                "A route is incomplete: each needs a code, a label and a destination."
            ) from exc
        if not route.destination.strip():
            raise ValidationError(f"The route “{route.label}” has no destination.")
        if any(r.code == route.code for r in out):
            raise ValidationError(f"The route “{route.code}” is listed twice.")
        out.append(route)
    return out


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[Route, ...]:
    text = resources.files("roi_desk.data").joinpath("routing.json").read_text("utf-8")
    return tuple(parse_routes(json.loads(text)))


def load_routes() -> list[Route]:
    return list(_shipped())


def _referral_text(route: Route) -> str:
    text = (
        f"{route.label} are not kept by the Health Information Management department. "
        f"Your request for them has been referred to the {route.destination}."
    )
    if route.contact.strip():
        text += f" You can reach them at {route.contact.strip()}."
    return text


def route_request(
    requested: Iterable[str], routes: Sequence[Route] | None = None
) -> RoutingDecision:
    """Split the requested items into referrals and what the desk fills itself.

    ``requested``: item codes (e.g. ``"billing"``, ``"radiology_images"``, or record types
    the desk handles, which pass through unchanged).
    """
    table = {r.code: r for r in (routes if routes is not None else _shipped())}
    referrals: list[Referral] = []
    remaining: list[str] = []
    seen: set[str] = set()
    for code in requested:
        if code in seen:
            continue
        seen.add(code)
        route = table.get(code)
        if route is None:
            remaining.append(code)
        else:
            referrals.append(Referral(route=route, text=_referral_text(route)))
    return RoutingDecision(referrals=tuple(referrals), remaining=tuple(remaining))
