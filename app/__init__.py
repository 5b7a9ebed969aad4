"""SCIM Setup Assistant: connect a Bitwarden organization to Okta through SCIM, guided, verified."""

__version__ = "0.1.0"
APP_NAME = "SCIM Setup Assistant"
APP_ID = "scim-assistant"
ORG_NAME = "SCIM Setup Assistant"
#: The reverse-DNS application id: the name of the desktop entry and AppStream file in resources/,
#: the Wayland app id (QGuiApplication.setDesktopFileName) and the macOS bundle identifier.
DESKTOP_ID = "org.scimassistant.ScimAssistant"
