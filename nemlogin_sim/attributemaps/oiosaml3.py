"""pysaml2 attribute map for the OIOSAML 3 attributes the portal reads: names kept as the URIs they are."""

CPR = "https://data.gov.dk/model/core/eid/cprNumber"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"

_NAMES = (CPR, LOA, FULL_NAME, PRIVILEGES, SPEC_VERSION)
MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": {name: name for name in _NAMES},
    "to": {name: name for name in _NAMES},
}
