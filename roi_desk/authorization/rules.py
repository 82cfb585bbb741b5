"""The tables behind the authorization decision, as dated data.

Which request kinds need a 164.508 authorization, which proof each kind of signer must
show, the ages of majority and of a minor's own consent, and the grounds on which a minor
consents alone — all read from ``data/authorization_rules.json``, one version per
effective date (like :mod:`roi_desk.fees` and :mod:`roi_desk.deadlines`), so an
administrator can follow a change in the law without a new release of the program.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from roi_desk.errors import ValidationError

__all__ = [
    "AuthorizationRules",
    "Basis",
    "KindRule",
    "MinorGround",
    "SignerRule",
    "load_rule_versions",
    "parse_rule_versions",
    "rules_in_force",
]


class Basis(StrEnum):
    """On what footing the records may go out (DOMAIN.md "Who needs a 164.508 authorization")."""

    #: a third party: a valid 164.508 authorization
    AUTHORIZATION = "authorization"
    #: the patient or a personal representative: the right of access, 164.524 / 164.502(g)
    ACCESS = "access"
    #: another provider for treatment / continuity of care, 164.506(c)(2)
    TREATMENT = "treatment"
    #: a subpoena or court order, 164.512(e)
    LEGAL_PROCESS = "legal_process"


@dataclass(frozen=True)
class KindRule:
    basis: Basis
    citation: str
    label: str


@dataclass(frozen=True)
class SignerRule:
    #: each group: documents any one of which proves that part of the authority
    proof: tuple[tuple[str, ...], ...]
    citation: str


@dataclass(frozen=True)
class MinorGround:
    #: category codes the ground covers (``None``: any care the minor consented to)
    categories: frozenset[str] | None
    citation: str
    min_age: int = 0


@dataclass(frozen=True)
class AuthorizationRules:
    effective_from: dt.date
    name: str
    age_of_majority: int
    age_of_majority_citation: str
    drug_dependency_min_age: int
    request_kinds: Mapping[str, KindRule]
    signers: Mapping[str, SignerRule]
    minor_grounds: Mapping[str, MinorGround]
    #: the rejection letter's paragraph on who may ask for the records
    who_may_ask: str

    def kind(self, code: str) -> KindRule:
        try:
            return self.request_kinds[code]
        except KeyError:
            raise ValidationError(
                f"The authorization rules say nothing about “{code}” requests. "
                "An administrator must add the kind to the rules."
            ) from None

    def signer(self, code: str) -> SignerRule:
        try:
            return self.signers[code]
        except KeyError:
            raise ValidationError(
                f"The authorization rules list no proof for a “{code}” signer."
            ) from None


def _req(raw: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise ValidationError(f"The authorization rules ({where}) lack “{key}”.")
    return raw[key]


def parse_rule_versions(data: Mapping[str, Any]) -> list[AuthorizationRules]:
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions:
        raise ValidationError("The authorization rules file has no versions.")
    out: list[AuthorizationRules] = []
    for raw in versions:
        try:
            start = dt.date.fromisoformat(str(_req(raw, "effective_from", "a version")))
        except ValueError:
            raise ValidationError("An authorization rules version has a bad date.") from None
        where = f"version of {start.isoformat()}"
        kinds = {
            str(code): KindRule(
                Basis(str(_req(k, "basis", where))),
                str(_req(k, "citation", where)),
                str(k.get("label", code)),
            )
            for code, k in _req(raw, "request_kinds", where).items()
        }
        signers = {
            str(code): SignerRule(
                tuple(tuple(str(d) for d in group) for group in s.get("proof", [])),
                str(_req(s, "citation", where)),
            )
            for code, s in _req(raw, "signers", where).items()
        }
        grounds = {}
        for code, g in _req(raw, "minor_grounds", where).items():
            cats = g.get("categories", "any")
            grounds[str(code)] = MinorGround(
                None if cats == "any" else frozenset(str(c) for c in cats),
                str(_req(g, "citation", where)),
                int(g.get("min_age", 0)),
            )
        out.append(
            AuthorizationRules(
                effective_from=start,
                name=str(raw.get("name", "")),
                age_of_majority=int(_req(raw, "age_of_majority", where)),
                age_of_majority_citation=str(raw.get("age_of_majority_citation", "")),
                drug_dependency_min_age=int(_req(raw, "drug_dependency_min_age", where)),
                request_kinds=kinds,
                signers=signers,
                minor_grounds=grounds,
                who_may_ask=str(_req(raw, "who_may_ask", where)),
            )
        )
    return sorted(out, key=lambda r: r.effective_from)


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[AuthorizationRules, ...]:
    text = resources.files("roi_desk.data").joinpath("authorization_rules.json").read_text("utf-8")
    return tuple(parse_rule_versions(json.loads(text)))


def load_rule_versions() -> list[AuthorizationRules]:
    return list(_shipped())


def rules_in_force(
    on: dt.date, versions: Sequence[AuthorizationRules] | None = None
) -> AuthorizationRules:
    """The version in force on ``on`` (the day the request was received)."""
    pool = list(versions) if versions is not None else list(_shipped())
    found = [v for v in pool if v.effective_from <= on]
    if not found:
        raise ValidationError(
            f"No authorization rules are in force on {on:%m/%d/%Y}. An administrator must "
            "enter them."
        )
    return max(found, key=lambda v: v.effective_from)
