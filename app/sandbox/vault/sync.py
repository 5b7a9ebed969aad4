"""What a client reads after logging in: server config, profile, the full sync, revision date.

A sync tells the client its wrapped keys and its organizations; each confirmed organization carries
the organization key encrypted to the account's public key (`profile.organizations[].key`), which
is how `bw` gets the key it later re-encrypts for a member it confirms. The sync also lists the
collections the account reads (names encrypted with the organization key); there are no folders,
ciphers, sends or policies (the sandbox is about members, not items).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.sandbox.router import Request, Response, Router
from app.sandbox.state import Account, MemberStatus
from app.sandbox.vault import crypto
from app.sandbox.vault.accounts import KEY_CONNECTOR, KeylessKeys, VaultAccounts, unauthorized
from app.sandbox.vault.collections import readable_collections
from app.sandbox.vault.responses import account_keys, master_password_unlock

#: The server version the sandbox reports; clients gate features on it (the CLI tested: 2026.6.0).
SERVER_VERSION = "2026.6.0"
#: `ProductTierType.Enterprise`: SCIM and the Public API need it.
ENTERPRISE = 3


def register(router: Router, vault: VaultAccounts) -> None:
    def config(request: Request) -> Response:
        host = request.header("Host") or "127.0.0.1"
        base = f"https://{host}"
        return Response.json(
            200,
            {
                "version": SERVER_VERSION,
                "gitHash": "sandbox",
                "server": None,
                "environment": {
                    "cloudRegion": None,
                    "vault": base,
                    "api": f"{base}/api",
                    "identity": f"{base}/identity",
                    "notifications": f"{base}/notifications",
                    "sso": f"{base}/sso",
                },
                "featureStates": {},
                "push": {"pushTechnology": 0, "vapidPublicKey": None},
                "settings": {"disableUserRegistration": True},
                "communication": None,
                "object": "config",
            },
        )

    def sync(request: Request) -> Response:
        account = vault.authenticate(request)
        if account is None:
            return unauthorized()
        return Response.json(200, sync_body(vault, account))

    def profile(request: Request) -> Response:
        account = vault.authenticate(request)
        if account is None:
            return unauthorized()
        return Response.json(200, profile_body(vault, account))

    def revision_date(request: Request) -> Response:
        account = vault.authenticate(request)
        if account is None:
            return unauthorized()
        member = vault.membership(account)
        moments = [account.created] + ([member.revision] if member is not None else [])
        # `AccountRevisionDate` moves when the membership does (a confirm), so `bw sync` refetches
        return Response.json(200, _epoch_ms(max(moments)))

    router.get("/api/config", config)
    router.get("/api/sync", sync)
    router.get("/api/accounts/profile", profile)
    router.get("/api/accounts/revision-date", revision_date)


def sync_body(vault: VaultAccounts, account: Account) -> dict[str, Any]:
    """`SyncResponseModel` for an account with a master password and an empty vault."""
    keys = vault.master_password_keys(account)
    return {
        "profile": profile_body(vault, account),
        "folders": [],
        "collections": readable_collections(vault, account),
        "ciphers": [],
        "domains": None,
        "policies": [],
        "sends": [],
        "userDecryption": {
            "masterPasswordUnlock": master_password_unlock(keys) if keys else None,
            "webAuthnPrfOptions": None,
        },
        "object": "sync",
    }


def profile_body(vault: VaultAccounts, account: Account) -> dict[str, Any]:
    """`ProfileResponseModel`: the account, its wrapped keys, its confirmed organizations."""
    keys = vault.master_password_keys(account)
    stored: crypto.MasterPasswordKeys | KeylessKeys | None = keys or vault.keyless_keys(account)
    member = vault.membership(account)
    organizations = []
    if member is not None and member.status == MemberStatus.CONFIRMED:
        organizations.append(_profile_organization(vault, account))
    return {
        "id": account.id,
        "name": account.name,
        "email": account.email,
        "emailVerified": True,
        "premium": False,
        "premiumFromOrganization": False,
        "culture": "en-US",
        "twoFactorEnabled": account.two_factor_enabled,
        "key": stored.wrapped_user_key if stored else None,
        "privateKey": stored.wrapped_private_key if stored else None,
        "accountKeys": account_keys(account, stored) if stored else None,
        "securityStamp": keys.security_stamp if keys else None,
        "forcePasswordReset": False,
        "usesKeyConnector": vault.kind_of(account) == KEY_CONNECTOR,
        "avatarColor": None,
        "creationDate": _iso(account.created),
        "verifyDevices": False,
        "organizations": organizations,
        "providers": [],
        "providerOrganizations": [],
        "object": "profile",
    }


def _profile_organization(vault: VaultAccounts, account: Account) -> dict[str, Any]:
    """`ProfileOrganizationResponseModel` of the sandbox's Enterprise organization."""
    organization = vault.state.organization
    member = vault.membership(account)
    assert member is not None
    return {
        "id": organization.id,
        "userId": account.id,
        "name": organization.name,
        "enabled": organization.enabled,
        "identifier": None,
        "productTierType": ENTERPRISE,
        "usePolicies": True,
        "useSso": True,
        "useKeyConnector": False,
        "useScim": organization.use_scim,
        "useGroups": organization.use_groups,
        "useDirectory": True,
        "useEvents": True,
        "useTotp": True,
        "use2fa": True,
        "useApi": organization.use_api,
        "useResetPassword": True,
        "useSecretsManager": False,
        "usePasswordManager": True,
        "usersGetPremium": True,
        "useCustomPermissions": True,
        "useActivateAutofillPolicy": True,
        "useRiskInsights": False,
        "useOrganizationDomains": True,
        "useAdminSponsoredFamilies": False,
        "useAutomaticUserConfirmation": False,
        "useDisableSMAdsForUsers": False,
        "usePhishingBlocker": False,
        "useMyItems": False,
        "useInviteLinks": False,
        "selfHost": True,
        "seats": organization.seats,
        "maxCollections": None,
        "maxStorageGb": None,
        "key": vault.org_key_for(account),
        "hasPublicAndPrivateKeys": False,
        "ssoBound": False,
        "resetPasswordEnrolled": member.reset_password_enrolled,
        "providerId": None,
        "providerName": None,
        "providerType": None,
        "limitCollectionCreation": False,
        "limitCollectionDeletion": False,
        "limitItemDeletion": False,
        "allowAdminAccessToAllCollectionItems": True,
        "ssoEnabled": False,
        "keyConnectorEnabled": False,
        "keyConnectorUrl": None,
        "ssoMemberDecryptionType": None,
        "status": int(member.status),
        "type": int(member.type),
        "organizationUserId": member.id,
        "userIsClaimedByOrganization": False,
        "permissions": _permissions(member.permissions),
        "familySponsorshipFriendlyName": None,
        "familySponsorshipAvailable": False,
        "familySponsorshipLastSyncDate": None,
        "familySponsorshipValidUntil": None,
        "familySponsorshipToDelete": None,
        "isAdminInitiated": False,
        "accessSecretsManager": False,
        "object": "profileOrganization",
    }


_PERMISSION_NAMES = (
    "accessEventLogs",
    "accessImportExport",
    "accessReports",
    "createNewCollections",
    "editAnyCollection",
    "deleteAnyCollection",
    "manageGroups",
    "managePolicies",
    "manageSso",
    "manageUsers",
    "manageResetPassword",
    "manageScim",
)


def _permissions(granted: dict[str, bool] | None) -> dict[str, bool]:
    """`Permissions` as the server writes it: every flag, false unless a custom role has it."""
    return {name: bool((granted or {}).get(name, False)) for name in _PERMISSION_NAMES}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
