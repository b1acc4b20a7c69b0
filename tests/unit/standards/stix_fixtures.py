"""Small multi-indicator bundles of the shape of real STIX 2.1 content (written here, not vendored).

* :func:`apt1_like`: the OASIS "apt1" example's shape - an identity (the
  reporting firm), an ``intrusion-set``, 12 domain indicators that each
  ``indicates`` it, a ``report`` listing everything, TLP and copyright
  markings, vendor ``x_`` properties;
* :func:`poisonivy_like`: the "poisonivy" shape - one ``malware`` and many
  file-hash indicators, each ``indicates`` the malware;
* :func:`malicious_email_like`: the "malicious-email" shape - two e-mail
  indicators (subject, sender) pointing at one ``malware``;
* :func:`attack_object_bundle`: an indicator related to a real ATT&CK
  ``attack-pattern`` as MITRE publishes it (``x_mitre_*`` properties, MITRE's
  identity and copyright statement marking, an ``x-mitre-tactic`` object);
* :func:`as_stix_20`: the same content as STIX 2.0 (no ``spec_version``,
  ``spec_version`` on the bundle).
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from typing import Any

from sharing.standards.tlp import Tlp

_NS = uuid.UUID("0f7e1d0c-6a1b-4e8e-9f2a-3c4d5e6f7a8b")
CREATED = "2026-03-01T09:00:00.000Z"
MITRE_IDENTITY = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"
MITRE_STATEMENT = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"


def sid(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(_NS, f'{kind}/{name}')}"


def _sdo(kind: str, key: str, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, key), "created": CREATED,
            "modified": CREATED, **props}


def identity(name: str, marking: str) -> dict[str, Any]:
    return _sdo("identity", name, name=name, identity_class="organization",
                object_marking_refs=[marking])


def copyright_marking(owner: str) -> dict[str, Any]:
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": sid("marking-definition", owner), "created": CREATED,
            "definition_type": "statement",
            "definition": {"statement": f"Copyright 2026, {owner}."}}


def indicator(name: str, pattern: str, author: str, markings: list[str],
              **extra: Any) -> dict[str, Any]:
    return _sdo("indicator", name, name=name, pattern=pattern, pattern_type="stix",
                valid_from=CREATED, indicator_types=["malicious-activity"],
                created_by_ref=author, object_marking_refs=markings, **extra)


def relationship(source: dict[str, Any], kind: str, target: dict[str, Any], author: str,
                 markings: list[str]) -> dict[str, Any]:
    return _sdo("relationship", f"{source['id']} {kind} {target['id']}", relationship_type=kind,
                source_ref=source["id"], target_ref=target["id"], created_by_ref=author,
                object_marking_refs=markings)


def bundle(name: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bundle", "id": sid("bundle", name), "objects": objects}


def apt1_like(n: int = 12, tlp: Tlp = Tlp.GREEN) -> dict[str, Any]:
    statement = copyright_marking("Example Threat Research")
    markings = [tlp.marking_id, statement["id"]]
    author = identity("Example Threat Research", tlp.marking_id)
    group = _sdo("intrusion-set", "APT1", name="APT1", created_by_ref=author["id"],
                 object_marking_refs=markings, x_example_confidence_band="high")
    objects: list[dict[str, Any]] = [tlp.marking_dict(), statement, author, group]
    indicators = []
    for i in range(n):
        ind = indicator(f"APT1 C2 domain {i}", f"[domain-name:value = 'c2-{i}.apt1.example']",
                        author["id"], markings,
                        kill_chain_phases=[{"kill_chain_name": "mandiant-attack-lifecycle-model",
                                            "phase_name": "establish-foothold"}],
                        x_example_source_report="APT1 2013")
        indicators.append(ind)
        objects += [ind, relationship(ind, "indicates", group, author["id"], markings)]
    objects.append(_sdo("report", "APT1 report", name="APT1: one of China's espionage units",
                        published=CREATED, report_types=["threat-actor"],
                        object_refs=[o["id"] for o in objects if o["type"] != "marking-definition"],
                        created_by_ref=author["id"], object_marking_refs=markings))
    return bundle("apt1", objects)


def poisonivy_like(n: int = 25, tlp: Tlp = Tlp.AMBER) -> dict[str, Any]:
    author = identity("Example Malware Lab", tlp.marking_id)
    malware = _sdo("malware", "Poison Ivy", name="Poison Ivy", is_family=True,
                   malware_types=["remote-access-trojan"], created_by_ref=author["id"],
                   object_marking_refs=[tlp.marking_id],
                   kill_chain_phases=[{"kill_chain_name": "mitre-attack",
                                       "phase_name": "command-and-control"}])
    objects: list[dict[str, Any]] = [tlp.marking_dict(), author, malware]
    for i in range(n):
        digest = hashlib.sha256(f"poison ivy sample {i}".encode()).hexdigest()
        ind = indicator(f"Poison Ivy sample {i}", f"[file:hashes.'SHA-256' = '{digest}']",
                        author["id"], [tlp.marking_id],
                        kill_chain_phases=[{"kill_chain_name": "mitre-attack",
                                            "phase_name": "command-and-control"}])
        objects += [ind, relationship(ind, "indicates", malware, author["id"], [tlp.marking_id])]
    return bundle("poisonivy", objects)


def malicious_email_like(tlp: Tlp = Tlp.GREEN) -> dict[str, Any]:
    author = identity("Example Mail Security", tlp.marking_id)
    malware = _sdo("malware", "Dropper", name="Invoice dropper", is_family=False,
                   created_by_ref=author["id"], object_marking_refs=[tlp.marking_id])
    phase = [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}]
    subject = indicator("Malicious e-mail subject", "[email-message:subject = 'Draft Report']",
                        author["id"], [tlp.marking_id], kill_chain_phases=phase)
    sender = indicator("Malicious e-mail sender",
                       "[email-addr:value = 'billing@invoices.example']",
                       author["id"], [tlp.marking_id], kill_chain_phases=phase)
    return bundle("malicious-email", [
        tlp.marking_dict(), author, malware, subject, sender,
        relationship(subject, "indicates", malware, author["id"], [tlp.marking_id]),
        relationship(sender, "indicates", malware, author["id"], [tlp.marking_id]),
    ])


def attack_pattern_t1071_001() -> dict[str, Any]:
    """ATT&CK's T1071.001 as MITRE publishes it in enterprise-attack (trimmed description)."""
    return {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": "attack-pattern--df8b2a25-8bdf-4856-953c-a04372b1c161",
        "created": "2020-03-15T16:16:25.763Z",
        "modified": "2025-04-15T19:58:08.468Z",
        "created_by_ref": MITRE_IDENTITY,
        "name": "Web Protocols",
        "description": "Adversaries may communicate using application layer protocols "
        "associated with web traffic to avoid detection/network filtering by blending in "
        "with existing traffic.",
        "kill_chain_phases": [{"kill_chain_name": "mitre-attack",
                               "phase_name": "command-and-control"}],
        "external_references": [
            {"source_name": "mitre-attack", "url": "https://attack.mitre.org/techniques/T1071/001",
             "external_id": "T1071.001"},
        ],
        "object_marking_refs": [MITRE_STATEMENT],
        "revoked": False,
        "x_mitre_attack_spec_version": "3.2.0",
        "x_mitre_deprecated": False,
        "x_mitre_domains": ["enterprise-attack"],
        "x_mitre_is_subtechnique": True,
        "x_mitre_modified_by_ref": MITRE_IDENTITY,
        "x_mitre_platforms": ["Linux", "macOS", "Windows", "Network"],
        "x_mitre_version": "1.3",
    }


def attack_object_bundle(tlp: Tlp = Tlp.GREEN) -> dict[str, Any]:
    mitre = {"type": "identity", "spec_version": "2.1", "id": MITRE_IDENTITY,
             "created": "2017-06-01T00:00:00.000Z", "modified": "2017-06-01T00:00:00.000Z",
             "name": "The MITRE Corporation", "identity_class": "organization",
             "object_marking_refs": [MITRE_STATEMENT]}
    statement = {"type": "marking-definition", "spec_version": "2.1", "id": MITRE_STATEMENT,
                 "created": "2017-06-01T00:00:00.000Z", "created_by_ref": MITRE_IDENTITY,
                 "definition_type": "statement",
                 "definition": {"statement": "Copyright 2015-2025, The MITRE Corporation. "
                                "MITRE ATT&CK and ATT&CK are registered trademarks of The "
                                "MITRE Corporation."}}
    tactic = {"type": "x-mitre-tactic", "spec_version": "2.1",
              "id": "x-mitre-tactic--f72804c5-f15a-449e-a5da-2eecd181f813",
              "created": "2018-10-17T00:14:20.652Z", "modified": "2025-04-25T14:45:33.571Z",
              "name": "Command and Control", "x_mitre_shortname": "command-and-control",
              "created_by_ref": MITRE_IDENTITY, "object_marking_refs": [MITRE_STATEMENT]}
    technique = attack_pattern_t1071_001()
    author = identity("Example SOC", tlp.marking_id)
    beacon = indicator("HTTPS beacon to a C2 URL",
                       "[url:value = 'https://cdn-update.example/api/v2/beacon']",
                       author["id"], [tlp.marking_id])
    return bundle("attack", [
        tlp.marking_dict(), statement, mitre, tactic, technique, author, beacon,
        relationship(beacon, "indicates", technique, author["id"], [tlp.marking_id]),
    ])


def as_stix_20(source: dict[str, Any]) -> dict[str, Any]:
    """The content as a STIX 2.0 producer writes it."""
    old = copy.deepcopy(source)
    old["spec_version"] = "2.0"
    for obj in old["objects"]:
        obj.pop("spec_version", None)
    return old
