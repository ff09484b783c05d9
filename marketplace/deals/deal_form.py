"""The contract form of the pages: its fields (one select for type and sub-type, a fieldset per party), turning a
posted form into the contract and links the services take, and the services' errors back onto the form's fields."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..errors import ValidationFailed
from ..web.forms import translate_message
from .contract_input import PARTY_FIELDS
from .vocabularies import CONTRACT_KINDS

ROLES = ("seller", "buyer", "intermediary")
TEXT_FIELDS = ("name", "total_amount", "technical_amount", "payment_method", "signed_on", "valid_from", "valid_to",
               "plan_source", "ip_type", "technical_field", "socio_economic_goal", "notes")
BOOL_FIELDS = ("equity_investment", "related_party")
PARTY_TEXT = tuple(name for name in PARTY_FIELDS if name not in ("role", "flags"))
LINK_FIELDS = ("inquiry_id", "opportunity_id", "underlying_deal_id", "demand_id", "challenge_id")
LINK_LISTS = ("achievement_ids", "patent_ids")


def values_of(contract: dict, links: dict | None = None) -> dict:
    """The form's values (field name → value) for a contract in input shape (and its links)."""
    values: dict = {name: "" if contract.get(name) is None else str(contract[name]) for name in TEXT_FIELDS}
    for name in BOOL_FIELDS:
        values[name] = bool(contract.get(name))
    kind, sub = contract.get("contract_type"), contract.get("contract_subtype")
    values["kind"] = f"{kind}.{sub}" if kind and sub else ""
    for party in contract.get("parties") or []:
        role = party.get("role")
        if role not in ROLES:
            continue
        for name in PARTY_TEXT:
            values[f"{role}-{name}"] = "" if party.get(name) is None else str(party[name])
        values[f"{role}-flags"] = list(party.get("flags") or [])
    for name, value in (links or {}).items():
        values[name] = [str(item) for item in value] if isinstance(value, list) else str(value)
    return values


def posted_values(form: MultiDict) -> dict:
    """What the user typed, to show again after an error."""
    values: dict = {key: form.get(key) for key in form.keys()}
    for name in BOOL_FIELDS:
        values[name] = bool(form.get(name))
    for role in ROLES:
        values[f"{role}-flags"] = form.getlist(f"{role}-flags")
    for name in LINK_LISTS:
        values[name] = form.getlist(name)
    return values


def _party(form: MultiDict, role: str) -> dict | None:
    party: dict = {"role": role}
    for name in PARTY_TEXT:
        value = (form.get(f"{role}-{name}") or "").strip()
        party[name] = value or None
    party["flags"] = [value for value in form.getlist(f"{role}-flags") if value]
    if role == "intermediary" and not party.get("name"):
        return None  # the 中介方 fieldset left empty: no intermediary
    return {name: value for name, value in party.items() if value is not None}


def posted(form: MultiDict) -> tuple[dict, dict, list[str]]:
    """``(contract, links, roles)`` from a posted form: the contract in :class:`ContractInput`'s shape, the link
    ids, and the roles of the parties in the order given (errors come back by position)."""
    contract: dict = {}
    for name in TEXT_FIELDS:
        value = (form.get(name) or "").strip()
        contract[name] = value or None
    contract = {name: value for name, value in contract.items()
                if value is not None or name not in ("name", "total_amount", "technical_amount", "payment_method",
                                                     "signed_on", "technical_field", "plan_source", "ip_type")}
    for name in BOOL_FIELDS:
        contract[name] = bool(form.get(name))
    kind = form.get("kind") or ""
    if kind in CONTRACT_KINDS:
        contract["contract_type"], contract["contract_subtype"] = kind.split(".", 1)
    parties = [party for party in (_party(form, role) for role in ROLES) if party is not None]
    contract["parties"] = parties
    links: dict = {}
    for name in LINK_FIELDS:
        value = (form.get(name) or "").strip()
        if value:
            links[name] = value
    for name in LINK_LISTS:
        items = [value for value in form.getlist(name) if value]
        if items:
            links[name] = items
    return contract, links, [party["role"] for party in parties]


def _texts(messages) -> list[str]:
    if isinstance(messages, str):
        return [translate_message(messages)]
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _texts(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in _texts(value)]
    return [translate_message(str(messages))]


def errors_of(error: ValidationFailed, roles: list[str] | None = None) -> dict[str, list[str]]:
    """The service's errors keyed by the form's field names: a party's by ``<role>-<field>``, the type and sub-type
    by ``kind``; messages not tied to a field under ``_form``."""
    errors: dict[str, list[str]] = {}
    for name, messages in (error.errors or {}).items():
        if name == "parties" and isinstance(messages, dict):
            for index, party_errors in messages.items():
                role = roles[index] if roles and isinstance(index, int) and index < len(roles) else None
                if role is None or not isinstance(party_errors, dict):
                    errors.setdefault("parties", []).extend(_texts(party_errors))
                    continue
                for field, texts in party_errors.items():
                    errors.setdefault(f"{role}-{field}", []).extend(_texts(texts))
            continue
        key = {"contract_type": "kind", "contract_subtype": "kind", "_schema": "_form"}.get(name, name)
        for message in _texts(messages):
            if message not in errors.setdefault(key, []):
                errors[key].append(message)
    if not errors:
        errors["_form"] = [translate_message(error.message)]
    return errors
