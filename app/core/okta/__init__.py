"""The Okta side of the setup: a small Management API client and the step-by-step verification.

Qt-free; every request goes through `app.core.http.build_client`. See docs/core-api.md.
"""
