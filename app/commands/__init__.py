"""Headless command implementations behind app.cli (no Qt)."""
