"""Small reusable widgets: secret field, copy button, validation message, help text."""
