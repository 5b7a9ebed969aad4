"""Qt-free, independent emulator of a self-hosted Bitwarden organization on loopback."""
