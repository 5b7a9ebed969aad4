"""SCIM Setup Assistant: connect a Bitwarden organization to Okta through SCIM, guided and verified."""

__version__ = "0.1.0"
APP_NAME = "SCIM Setup Assistant"
APP_ID = "scim-assistant"
ORG_NAME = "SCIM Setup Assistant"
