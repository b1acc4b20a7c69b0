"""The data standards: STIX 2.1 bundles, TLP 2.0, CVSS, synthetic indicators.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "AttackPatternSpec": "sharing.standards.stix_build",
        "Category": "sharing.standards.categories",
        "CvssScore": "sharing.standards.cvss",
        "IndicatorBundle": "sharing.standards.stix_parse",
        "IndicatorClass": "sharing.standards.categories",
        "IndicatorSpec": "sharing.standards.stix_build",
        "MalwareSpec": "sharing.standards.stix_build",
        "Scope": "sharing.standards.categories",
        "SyntheticIndicator": "sharing.standards.synthetic",
        "SyntheticMix": "sharing.standards.synthetic",
        "Tlp": "sharing.standards.tlp",
        "VulnerabilitySpec": "sharing.standards.stix_build",
        "band_name": "sharing.standards.cvss",
        "build_indicator_bundle": "sharing.standards.stix_build",
        "canonical_json": "sharing.standards.stix_parse",
        "category_code": "sharing.standards.categories",
        "category_name": "sharing.standards.categories",
        "class_code": "sharing.standards.categories",
        "content_hash": "sharing.standards.stix_parse",
        "cvss_vector_of": "sharing.standards.stix_parse",
        "generate_indicator": "sharing.standards.synthetic",
        "generate_indicators": "sharing.standards.synthetic",
        "indicator_of": "sharing.standards.stix_parse",
        "jcs_dumps": "sharing.standards.jcs",
        "load_indicator_bundle": "sharing.standards.stix_parse",
        "parse_bundle": "sharing.standards.stix_parse",
        "parse_cvss": "sharing.standards.cvss",
        "scope_code": "sharing.standards.categories",
        "score_x10": "sharing.standards.cvss",
        "severity_band": "sharing.standards.cvss",
        "stix_id": "sharing.standards.stix_build",
        "tactics_of": "sharing.standards.stix_parse",
        "tlp_of": "sharing.standards.tlp",
    },
)
