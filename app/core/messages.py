"""The core's user-facing sentences, kept together so they can be reviewed and translated at once.

Plain English, no jargon beyond what the Admin Console and Okta themselves show, and never a secret:
messages are built only from URLs, host names, status codes and counts. Placeholders: `str.format`.
"""

from __future__ import annotations

# ---------------------------------------------------------------- SCIM URL (app.core.endpoints)
URL_EMPTY = "Paste the SCIM URL from the Admin Console (Settings → SCIM provisioning)."
URL_NO_SCHEME = (
    "This is not a full web address. Copy the SCIM URL from the Admin Console exactly; "
    "it starts with https://."
)
URL_BAD_SCHEME = "A SCIM URL starts with https:// (this one starts with {scheme}://)."
URL_UNPARSABLE = "This is not a web address that can be used: {detail}."
URL_NO_HOST = "The web address has no host name."
URL_USERINFO = (
    "The web address contains a user name or password before the host. "
    "Remove it: Okta sends the SCIM key in a header, not in the URL."
)
URL_HTTP_NOT_LOOPBACK = (
    "The SCIM URL must start with https://. Plain http:// is accepted only for this computer "
    "(localhost or 127.0.0.1), for testing. Okta itself only connects to https:// addresses."
)
URL_QUERY_OR_FRAGMENT = (
    "The SCIM URL has a '?' or '#' part. Copy only the SCIM URL from the Admin Console, "
    "which ends with /v2/ and the organization id."
)
URL_CONSOLE_PAGE = (
    "This is the address of an Admin Console page in your browser, not the SCIM URL. "
    "On that page (Settings → SCIM provisioning), copy the field named SCIM URL."
)
URL_NO_V2 = (
    "This address has no organization id. The SCIM URL ends with /v2/ followed by the "
    "organization id, e.g. https://scim.bitwarden.com/v2/<organization id>."
)
URL_MISSING_ORG = "The SCIM URL ends with /v2/ but the organization id after it is missing."
URL_INVALID_ORG = (
    "'{value}' is not a valid organization id. It is a GUID like "
    "8f0e6c1a-1b2c-4d5e-9f00-123456789abc; copy the SCIM URL again from the Admin Console."
)
URL_EXTRA_PATH = (
    "The SCIM URL should end with the organization id, but '{extra}' follows it. "
    "Remove everything after the organization id."
)
URL_CLOUD_PATH = (
    "Bitwarden's cloud SCIM URL has the form https://{host}/v2/<organization id>; "
    "this one has a different path. Copy it again from the Admin Console."
)
URL_BITWARDEN_NOT_SCIM_HOST = (
    "{host} is a Bitwarden address, but not the SCIM one. Bitwarden's cloud SCIM URL starts with "
    "https://scim.bitwarden.com/v2/ (US) or https://scim.bitwarden.eu/v2/ (EU)."
)
URL_EXPECTED_DEPLOYMENT = (
    "This SCIM URL belongs to {actual}, but the profile is set up for {expected}."
)
URL_EXPECTED_SERVER = (
    "This SCIM URL is on {actual}, but the profile's self-hosted server is {expected}."
)
WARN_URL_WHITESPACE = "Spaces or line breaks inside the pasted URL were removed."
WARN_URL_USERS_SUFFIX = (
    "The pasted URL ended with /{suffix}; it was removed. Okta adds /Users and /Groups itself, "
    "so paste the SCIM URL as the Admin Console shows it."
)
WARN_URL_UPPERCASE_ORG = (
    "The organization id was written in capitals; it was changed to lower case."
)
WARN_URL_LOOKALIKE = (
    "{host} looks like Bitwarden's cloud address but is not one of Bitwarden's hosts "
    "(scim.bitwarden.com, scim.bitwarden.eu). Make sure this is really your organization's server "
    "before you give it the SCIM key."
)
WARN_URL_UNUSUAL_SHAPE = (
    "This is neither Bitwarden's cloud SCIM URL nor a self-hosted one "
    "(https://<your server>/scim/v2/<organization id>). If a reverse proxy publishes SCIM this way "
    "that is fine; otherwise copy the URL again from the Admin Console."
)
WARN_URL_IDN = (
    "The host name contains letters from other alphabets ({host}); such names can imitate a "
    "familiar one. Check it carefully."
)
WARN_URL_CLOUD_PORT = "Bitwarden's cloud SCIM URL has no port number; this one has :{port}."
SERVER_EMPTY = "Enter the address of your Bitwarden server, e.g. https://bitwarden.example.com."
DEPLOYMENT_NAMES = {
    "cloud_us": "Bitwarden cloud (US)",
    "cloud_eu": "Bitwarden cloud (EU)",
    "self_hosted": "a self-hosted server",
}

# ---------------------------------------------------------------- keys (app.core.keys)
KEY_EMPTY = "Paste the SCIM API key from the Admin Console (Settings → SCIM provisioning)."
KEY_WRONG_LENGTH = (
    "A Bitwarden SCIM API key is 30 letters and digits; this one has {length} characters. "
    "Copy it again with the copy button next to the key in the Admin Console."
)
KEY_BAD_CHARACTERS = (
    "A Bitwarden SCIM API key has only letters and digits; this one contains other characters. "
    "Copy it again with the copy button next to the key in the Admin Console."
)
WARN_KEY_WHITESPACE = "Spaces or line breaks around or inside the key were removed."
WARN_KEY_BEARER = (
    "The pasted key started with 'Bearer '; only the key itself was kept. In Okta's API Token "
    "field, paste the bare key too: Okta may add its own 'Bearer ', and 'Bearer Bearer …' would "
    "be refused by Bitwarden (401)."
)
WARN_KEY_QUOTES = "Quotation marks around the key were removed."
CLIENT_ID_EMPTY = (
    "Paste the client_id from the Admin Console (Settings → Organization info → API key)."
)
CLIENT_ID_INVALID = (
    "A Public API client_id has the form organization.<organization id>; this one does not. "
    "Copy it from Settings → Organization info → View API key."
)
CLIENT_ID_OTHER_ORG = (
    "This client_id belongs to another organization ({actual}) than the SCIM URL ({expected})."
)
CLIENT_CREDENTIAL_EMPTY = (
    "Paste the client_secret from the Admin Console (Settings → Organization info → API key)."
)
CLIENT_CREDENTIAL_WRONG_LENGTH = (
    "A Public API client_secret is 30 letters and digits; this one has {length} characters."
)
CLIENT_CREDENTIAL_BAD_CHARACTERS = (
    "A Public API client_secret has only letters and digits; this one contains other characters."
)

# ---------------------------------------------------------------- HTTP (app.core.http)
CA_FILE_UNREADABLE = "The extra CA certificate file {path} cannot be used: {detail}."
