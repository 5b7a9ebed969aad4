"""Resource files (icons, word list, desktop entry), importable as app.resources."""

#: The reverse-DNS application id: the desktop entry's and AppStream file's name, the Wayland app id
#: (QGuiApplication.setDesktopFileName) and the macOS bundle identifier.
DESKTOP_ID = "org.scimassistant.ScimAssistant"
