"""The setup wizard: Bitwarden's documented SCIM + Okta setup as a guided, verified flow.

`wizard.py` holds `SetupWizard`; every page is its own module, named after its `SetupStep`.
"""
