"""The data standards: STIX 2.1 bundles, TLP 2.0, CVSS, synthetic indicators.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "AttackPatternSpec": "sharing.standards.stix",
        "Category": "sharing.standards.stix",
        "CvssScore": "sharing.standards.cvss",
        "IndicatorBundle": "sharing.standards.stix",
        "IndicatorClass": "sharing.standards.stix",
        "MalwareSpec": "sharing.standards.stix",
        "Scope": "sharing.standards.stix",
        "SyntheticIndicator": "sharing.standards.synthetic",
        "SyntheticMix": "sharing.standards.synthetic",
        "Tlp": "sharing.standards.stix",
        "VulnerabilitySpec": "sharing.standards.stix",
        "band_name": "sharing.standards.cvss",
        "build_indicator_bundle": "sharing.standards.stix",
        "canonical_json": "sharing.standards.stix",
        "category_code": "sharing.standards.stix",
        "category_name": "sharing.standards.stix",
        "class_code": "sharing.standards.stix",
        "content_hash": "sharing.standards.stix",
        "cvss_vector_of": "sharing.standards.stix",
        "generate_indicator": "sharing.standards.synthetic",
        "generate_indicators": "sharing.standards.synthetic",
        "indicator_of": "sharing.standards.stix",
        "jcs_dumps": "sharing.standards.stix",
        "load_indicator_bundle": "sharing.standards.stix",
        "parse_bundle": "sharing.standards.stix",
        "parse_cvss": "sharing.standards.cvss",
        "scope_code": "sharing.standards.stix",
        "score_x10": "sharing.standards.cvss",
        "severity_band": "sharing.standards.cvss",
        "stix_id": "sharing.standards.stix",
        "tactics_of": "sharing.standards.stix",
        "tlp_of": "sharing.standards.stix",
    },
)
