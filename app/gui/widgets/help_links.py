"""Bitwarden's and Okta's help pages the wizard links to (one place, so they are easy to update)."""

from __future__ import annotations

BW_OKTA_SCIM = "https://bitwarden.com/help/okta-scim-integration/"
BW_ABOUT_SCIM = "https://bitwarden.com/help/about-scim/"
BW_SELF_HOST_CONFIG = "https://bitwarden.com/help/configure-environment-variables/"
BW_PUBLIC_API = "https://bitwarden.com/help/public-api/"
BW_MEMBER_ROLES = "https://bitwarden.com/help/user-types-access-control/"
BW_CONFIRM_MEMBERS = "https://bitwarden.com/help/managing-users/#confirm"
BW_FINGERPRINT = "https://bitwarden.com/help/fingerprint-phrase/"
OKTA_ADD_APP = "https://help.okta.com/oie/en-us/content/topics/apps/apps-add-applications.htm"
OKTA_PROVISIONING = (
    "https://help.okta.com/oie/en-us/content/topics/provisioning/lcm/con-okta-prov.htm"
)
OKTA_TROUBLESHOOTING = (
    "https://help.okta.com/oie/en-us/Content/Topics/provisioning/lcm/troubleshooting.htm"
)
OKTA_GROUP_PUSH = (
    "https://help.okta.com/en-us/content/topics/users-groups-profiles/"
    "usgp-group-push-prerequisites.htm"
)
OKTA_ASSIGN = (
    "https://help.okta.com/oie/en-us/content/topics/provisioning/lcm/lcm-assign-app-user.htm"
)
