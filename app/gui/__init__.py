"""The Qt user interface. It calls app.core; the core never calls it."""
