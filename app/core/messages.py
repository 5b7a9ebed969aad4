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
#: A secret with control characters is never used (they cannot be sent, and a UTF-16 file shows
#: as one); `{what}` names it ("The SCIM API key"). Neither sentence contains the secret.
KEY_CONTROL_CHARACTERS = (
    "{what} contains control characters (invisible characters such as NUL or ESC), so it was not "
    "used. Copy it again from the Admin Console."
)
KEY_UTF16 = (
    "{what} was read as UTF-16 text (a NUL after every character, or a UTF-16 byte order mark), "
    "so it was not used. Save the file as UTF-8 and try again: in PowerShell, "
    "`Set-Content -Encoding utf8` or `Out-File -Encoding utf8` instead of `>`."
)
KEY_NOT_UTF8 = "{what} is not UTF-8 text, so it was not used. Save the file as UTF-8 and try again."

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
REQUEST_NOT_SENDABLE = (
    "the request could not be sent: a header value (most likely the key) holds characters HTTP "
    "does not allow, such as control characters"
)
CA_FILE_UNREADABLE = "The extra CA certificate file {path} cannot be used: {detail}."

# ---------------------------------------------------------------- credential check (okta_check)
CHECK_OK = (
    "Bitwarden answered 200 with a SCIM user list ({users} on the first page, {total} in total)."
)
CHECK_OK_REACHABLE = "Okta's Test API Credentials would succeed: {detail}"
CHECK_OK_UNREACHABLE = (
    "The endpoint answers as Okta needs, but Okta cannot reach this address from its cloud "
    "(see the warnings): {detail}"
)
#: The one-line verdicts, the same words in `check`'s text, on the test page and in the summary.
VERDICT_OKTA_WOULD_SUCCEED = "Okta would succeed"
VERDICT_OKTA_CANNOT_REACH = (
    "The endpoint answers as Okta needs, but Okta cannot reach this address from its cloud"
)
VERDICT_OKTA_WOULD_FAIL = "Okta would fail"
CHECK_OK_GROUPS = " The Groups request Okta makes when you save To App succeeded too."
CHECK_GROUPS_FAILED = (
    "The Users request succeeded, but the Groups request Okta makes when you save the To App "
    "settings did not: {detail}"
)
CHECK_KEY_NOT_BITWARDEN = "The key does not look like a Bitwarden SCIM key: {detail}"
CHECK_DNS = (
    "The host name {host} could not be found (DNS). Check the SCIM URL for typing mistakes. "
    "For a self-hosted server, make sure the name is published in public DNS: Okta looks it up "
    "from the internet, not from your network."
)
CHECK_REFUSED = (
    "{host} refused the connection on port {port}. Nothing is listening there, or a firewall "
    "rejects it. Check the port in the SCIM URL, and that the server (or its reverse proxy) runs."
)
CHECK_CONNECT = (
    "Could not connect to {host}: {detail}. Check the SCIM URL, this computer's network and "
    "proxy settings, and that the server runs."
)
CHECK_PROXY = (
    "The proxy server configured on this computer (HTTPS_PROXY/HTTP_PROXY) refused or failed "
    "the connection: {detail}. Okta does not use your proxy; check it or run the test without it."
)
CHECK_DISCONNECTED = (
    "{host} closed the connection before a complete answer ({detail}). A proxy, load balancer or "
    "firewall between here and Bitwarden may be cutting the connection."
)
CHECK_TIMEOUT = (
    "No complete answer from {host} within {seconds:g} seconds, Okta's limit for a request. "
    "The server or something in front of it is too slow or drops the connection silently "
    "(often a firewall)."
)
CHECK_TLS_UNTRUSTED = (
    "The server's certificate is not trusted ({detail}). It is self-signed or issued by a private "
    "CA. Okta connects only to servers with a certificate from a public CA (for example Let's "
    "Encrypt); to test from here anyway, pass your CA's certificate with --ca-file."
)
CHECK_TLS_HOSTNAME = (
    "The server's certificate is not valid for {host} ({detail}). Use the host name the "
    "certificate was issued for, or install a certificate that includes {host}."
)
CHECK_TLS_EXPIRED = (
    "The server's certificate has expired or is not yet valid ({detail}). Renew it: Okta refuses "
    "it as well."
)
CHECK_TLS_OTHER = (
    "The secure connection (TLS) to {host} failed: {detail}. Check that the port serves HTTPS "
    "and that the server's TLS configuration is current."
)
CHECK_REDIRECT = (
    "The server answered with a redirect ({status}) to {location} instead of answering. "
    "Okta's SCIM client is not documented to follow redirects, and the SCIM key must never follow "
    "one. Put the final address in Okta's Base URL (and here)."
)
CHECK_REDIRECT_LOGIN = (
    " The redirect leads to what looks like a sign-in page: a single sign-on proxy or access "
    "gateway protects this address. Exempt the /scim/ path from it so Okta can reach Bitwarden."
)
CHECK_REDIRECT_HTTPS = " It only switches to https: use the https:// address."
CHECK_UNAUTHORIZED_CLOUD = (
    "Bitwarden refused the key (401 Unauthorized); Okta would show 'Error authenticating: "
    "Unauthorized'. Likely causes: the key is wrong, or was rotated in the Admin Console since "
    "you copied it; SCIM is not enabled for the organization; the key belongs to another "
    "organization than the URL; the plan has no SCIM (Teams or Enterprise is needed). Fix: open "
    "{console} , make sure 'Enable SCIM' is checked and saved, then copy the SCIM URL and the "
    "API key again."
)
CHECK_UNAUTHORIZED_SELF_HOSTED = (
    "Bitwarden refused the key (401 Unauthorized); Okta would show 'Error authenticating: "
    "Unauthorized'. Likely causes: the key is wrong or was rotated since you copied it; SCIM is "
    "not enabled for the organization in the Admin Console; the key belongs to another "
    "organization than the URL; the organization's license has no SCIM. Fix: open {console} , "
    "make sure 'Enable SCIM' is checked and saved, then copy the SCIM URL and the API key again."
)
CHECK_UNAUTHORIZED_NOT_BITWARDEN = (
    " The answer asked for a login ({challenge}); Bitwarden never does that, so something in "
    "front of Bitwarden (a proxy or access gateway) refused the request."
)
CHECK_FORBIDDEN = (
    "The request was forbidden (403). Bitwarden's SCIM server never answers 403, so a firewall, "
    "web application firewall, IP allow-list or proxy in front of it refused. Allow Okta's IP "
    "addresses (and this computer, to test) to reach the /scim/ path."
)
CHECK_PROXY_AUTH = (
    "The proxy server configured on this computer asks for a login (407). Okta does not use your "
    "proxy; set proxy credentials or run the test without the proxy."
)
CHECK_NOT_FOUND_CLOUD = (
    "Bitwarden's cloud does not know this address (404). The SCIM URL is probably mistyped or "
    "incomplete; copy it again from {console} ."
)
CHECK_NOT_FOUND_SELF_HOSTED = (
    "The server has no SCIM service at this address (404). Most likely SCIM is not switched on "
    "for the server: set enable_scim: true in ./bwdata/config.yml, then run ./bitwarden.sh "
    "rebuild and ./bitwarden.sh restart. If a reverse proxy publishes the server, make sure it "
    "forwards the /scim/ path. Then copy the SCIM URL again from {console} ."
)
CHECK_METHOD_NOT_ALLOWED = (
    "The address answered 405 Method Not Allowed: something answers there, but not a SCIM Users "
    "list. The SCIM URL probably points at the wrong place; copy it again from the Admin Console."
)
CHECK_RATE_LIMITED = (
    "Bitwarden is limiting requests right now (429 Too Many Requests). Wait {wait} and try again. "
    "Okta waits as told by Retry-After and retries by itself during provisioning."
)
CHECK_RATE_LIMITED_WAIT_UNKNOWN = "a minute"
CHECK_SERVER_ERROR = (
    "The server failed with {status} {reason}. This is a problem on the server's side{detail}; "
    "try again later, and check the Bitwarden server's logs if it is self-hosted."
)
CHECK_GATEWAY_ERROR = (
    "A proxy or load balancer answered {status} {reason}: the Bitwarden SCIM service behind it is "
    "down or unreachable from it. Check that the scim container runs (self-hosted: "
    "./bitwarden.sh restart) and the proxy's target."
)
CHECK_HTML = (
    "An HTML page answered instead of Bitwarden's SCIM service{title}. Usually a sign-in page of a "
    "proxy or access gateway, a captive portal, or the web vault because the /scim/ path is not "
    "routed to SCIM (self-hosted: enable_scim: true in ./bwdata/config.yml, then ./bitwarden.sh "
    "rebuild). Okta would fail here."
)
CHECK_OTHER_STATUS = (
    "The server answered {status} {reason}, which Okta does not accept as success{detail}."
)
CHECK_NOT_JSON = (
    "The server answered 200, but not with JSON ({detail}); Okta would fail with 'Invalid JSON'. "
    "Something other than Bitwarden's SCIM service answered at this address."
)
CHECK_TOO_LARGE = (
    "The server answered 200 with more than {limit} bytes for a two-user list; that is not "
    "Bitwarden's SCIM service."
)
CHECK_NOT_LIST = (
    "The server answered 200 with JSON, but not a SCIM list of users (no 'Resources'). Something "
    "other than Bitwarden's SCIM Users endpoint answered at this address."
)
WARN_CHECK_PAGING = (
    "The list has no integer '{field}'. Okta's imports need totalResults, startIndex and "
    "itemsPerPage as integers and would fail."
)
WARN_CHECK_SCHEMAS = (
    "The list does not declare the SCIM ListResponse schema; Okta tolerates it, strict SCIM "
    "clients may not."
)
WARN_CHECK_CONTENT_TYPE = (
    "The answer's content type is '{content_type}' rather than application/scim+json."
)
ADDRESS_RESOLVED = "{host} resolves to {address}, which"
WARN_PRIVATE_ADDRESS = (
    "{subject} is a {kind} address. Okta connects from its cloud, not from this "
    "computer: it cannot reach this address, even though this test can."
)
WARN_PRIVATE_CA = (
    "The certificate is trusted here only through a private CA (this computer's trust store or "
    "the extra CA file), not by the public CAs Okta trusts (or a TLS-inspecting proxy on this "
    "network replaced it). Okta would refuse the connection."
)
WARN_PUBLIC_CA_UNKNOWN = (
    "Whether the certificate comes from a public CA (as Okta needs) could not be checked: {detail}."
)
WARN_UNDERSCORE = (
    "The SCIM URL contains an underscore '_'; Okta does not accept underscores in the Base URL."
)
WARN_NOT_HTTPS = (
    "The SCIM URL is not https. Okta connects from its cloud, not from this computer, and only "
    "to https:// addresses: this test can pass here, but Okta would fail."
)
DEPLOYMENT_KIND_PRIVATE = "private"
DEPLOYMENT_KIND_LOOPBACK = "loopback (this computer only)"
DEPLOYMENT_KIND_LINK_LOCAL = "link-local"
DEPLOYMENT_KIND_RESERVED = "non-public"

# The fragments the check's sentences are built from (outside text stays in `{…}` only).
THE_SERVER = "the server"
CHECK_SERVER_SAID = " (it said: {detail})"
CHECK_NOT_UTF8 = "not UTF-8 text"
CHECK_EMPTY_BODY = "empty body"
CHECK_INVALID_JSON_AT = "invalid JSON at character {position}"
CHECK_JSON_TOO_DEEP = "JSON nested too deeply"
CHECK_ONE_USER = "{count} user"
CHECK_USERS = "{count} users"
CHECK_TOTAL_UNKNOWN = "an unknown number"
CHECK_NO_ADDRESS = "(no address)"
CHECK_INVALID_ADDRESS = "(an invalid address)"
CHECK_PAGE_TITLE = " (page title: '{title}')"
WAIT_SECONDS = "{seconds} seconds"
WAIT_MINUTES = "about {minutes} minutes"
WAIT_HOURS = "about {hours} hours"
#: Okta gives up long before this; a larger figure is a misconfigured server, not a plan.
WAIT_IMPLAUSIBLE = "more than two days (the server's Retry-After is implausible)"
PUBLIC_CA_PROXY = "a proxy is configured on this computer"
PUBLIC_CA_NO_CERTIFI = "the certifi package is not installed"

# ---------------------------------------------------------------- /scim/alive
ALIVE_OK = "SCIM is switched on for this server (its SCIM service answered, server time {time})."
ALIVE_OFF = (
    "SCIM is not switched on for this server ({detail}). Set enable_scim: true in "
    "./bwdata/config.yml, then run ./bitwarden.sh rebuild and ./bitwarden.sh restart."
)
ALIVE_OFF_DETAIL = "{status} at {url}"
ALIVE_WEB_PAGE = ", a web page answered"
ALIVE_UNEXPECTED = (
    "The server answered {status} {reason} at {url}; that is not Bitwarden's SCIM service."
)

# ---------------------------------------------------------------- bw serve (app.core.bw_serve)
# The client (bw_serve.client)
BW_SERVE_NOT_LOOPBACK = (
    "bw serve must run on this computer; {url} is not a local address. The master password is "
    "never sent elsewhere."
)
BW_SERVE_NOT_RUNNING = "bw serve is not answering at {where}. Start it again and retry."
BW_SERVE_TIMEOUT = "bw serve at {where} did not answer in time."
BW_SERVE_UNEXPECTED = (
    "bw serve gave an answer this program does not understand; update the Bitwarden CLI."
)
BW_SERVE_TOO_LARGE = "bw serve's answer is too large to read."
BW_SERVE_FORBIDDEN = (
    "bw serve refused the request (403). It only accepts requests without an Origin header, to "
    "its own host name; do not put it behind a proxy."
)
BW_SERVE_NOT_FOUND = "This bw serve does not know the request (404); update the Bitwarden CLI."
BW_SERVE_STATUS = "bw serve failed (HTTP {status})."
# Confirming a batch (bw_serve.confirm): each reason is the rest of a sentence about the member
#: A batch (confirm, reinvite) cancelled: the reason of every member not reached.
CANCELLED_BEFORE_MEMBER = "cancelled before this member"
CONFIRM_NO_ACCOUNT = "has no Bitwarden account linked yet"
CONFIRM_NO_LONGER_MEMBER = "is no longer a member of the organization"
CONFIRM_SKIP_INVITED = "has not accepted the invitation yet"
CONFIRM_SKIP_CONFIRMED = "is already confirmed"
CONFIRM_SKIP_REVOKED = "is revoked"
CONFIRM_SKIP_STAGED = "has not been invited yet (staged)"
CONFIRM_SKIP_OTHER_STATUS = "has status {status}, which cannot be confirmed"
CONFIRM_CHANGED_BEFORE = (
    "This member's fingerprint phrase changed after you verified it: their public key is not the "
    "one you checked. Nothing was confirmed for this member. Check with the member and with your "
    "server's administrator."
)
CONFIRM_CHANGED_AFTER = (
    "ALERT: confirmed, but right after the confirm this member's fingerprint phrase was not the "
    "one you verified (or could not be read), so the organization key may have been encrypted to "
    "a key that is not theirs. Remove this member from the organization in the Admin Console and "
    "contact your security team."
)
CONFIRM_ANSWER_LOST = "bw serve's answer was lost, but it now lists the member as confirmed."
# The CLI on this computer (bw_serve.discovery)
BW_CLI_NOT_INSTALLED = (
    "The Bitwarden CLI (bw) is not installed. It is needed to confirm members, because only an "
    "unlocked Bitwarden client can share the organization key with them."
)
BW_CLI_NO_STATUS = "`bw status` gave no answer; the Bitwarden CLI may be broken. Reinstall it."
BW_CLI_NOT_LOGGED_IN = (
    "The Bitwarden CLI is not logged in. Log in once in a terminal (it may ask for two-step login "
    "or single sign-on), as an admin with the Manage Users permission."
)
BW_CLI_OTHER_SERVER = (
    "The Bitwarden CLI is set up for {current}, but this organization is on {wanted}. Point it at "
    "the right server and log in there."
)
# Starting bw serve (bw_serve.process)
BW_SERVE_EXITED = (
    "bw serve stopped at once (exit code {code}). It only runs once the CLI is logged in "
    "(`bw login`); run `bw serve` in a terminal to see why."
)
BW_SERVE_SLOW_START = "bw serve did not start within {seconds} seconds."

# ---------------------------------------------------------------- keyring (app.core.secrets)
KEYRING_UNAVAILABLE = (
    "No secure keyring is available on this computer ({detail}). Secrets are only ever saved in "
    "the operating system's keyring: on Linux start GNOME Keyring or KWallet (log in to a desktop "
    "session), then try again."
)
KEYRING_INSECURE = (
    "The keyring in use ({name}) would store secrets {how}. Secrets are only ever saved in the "
    "operating system's keyring: choose GNOME Keyring, KWallet, macOS Keychain or Windows "
    "Credential Manager (remove keyrings.alt or the PYTHON_KEYRING_BACKEND setting), then try "
    "again."
)
KEYRING_LOCKED = (
    "The keyring ({name}) is locked. Unlock it (for example by logging in to the desktop again or "
    "in the Passwords and Keys app), then try again."
)
KEYRING_DENIED = (
    "The keyring ({name}) refused access to the saved secrets. Allow this program in the keyring's "
    "prompt or settings, then try again."
)
KEYRING_TIMEOUT = (
    "The keyring ({name}) did not answer within {seconds:g} seconds. If it asked for a password to "
    "unlock, unlock it and try again; otherwise check that the keyring service is running."
)
KEYRING_TOO_LARGE = (
    "The profile's secrets take {size} bytes, more than the {limit} bytes Windows Credential "
    "Manager accepts. Use a shorter SCIM URL (copy it exactly from the Admin Console), or for "
    "an Okta service app a 2048-bit RSA or an EC key."
)
KEYRING_DAMAGED = (
    "The saved secrets of profile '{profile}' cannot be read. Save the profile again with the SCIM "
    "URL and key from the Admin Console."
)

# ---------------------------------------------------------------- Public API (app.core.public_api)
API_INVALID_CLIENT = (
    "Bitwarden refused the Public API client id and secret (invalid_client). Copy both again from "
    "the Admin Console: Settings → Organization info → API key (the organization needs API access "
    "in its plan)."
)
API_INVALID_SCOPE = (
    "Bitwarden refused the token request (invalid_scope): the client id must be the organization's "
    "(organization.<id>), not a personal API key."
)
API_REFUSED_TWICE = (
    "Bitwarden refused the Public API token twice. The organization's API key may have been "
    "rotated: copy the client id and secret again from Settings → Organization info → API key."
)
API_FORBIDDEN = (
    "Bitwarden answered 403 Forbidden: this key may not use the organization's Public API. Use the "
    "organization's API key (Settings → Organization info), not a personal one."
)
API_NOT_FOUND = "Bitwarden answered 404 Not Found: no such member or group in this organization."
API_REFUSED = "Bitwarden refused the request (HTTP {status})."
API_SERVER_FAILED = (
    "Bitwarden's server failed (HTTP {status}) several times in a row; try again later."
)
API_RATE_LIMITED = (
    "Bitwarden asks to slow down (too many requests); it allows the next request in {seconds} s. "
    "Try again then."
)
API_SIGNINS_PACED = (
    "Too many sign-ins to the Public API in the last minute (Bitwarden allows 10); the next one is "
    "possible in {seconds} s."
)
API_REDIRECT = (
    "The server answered with a redirect to {where} instead of answering. Check the server address "
    "(a proxy or sign-in page may be in front of Bitwarden)."
)
API_TOO_LARGE = "The server's answer is larger than {limit} MB; it was not read."
API_UNEXPECTED = (
    "The server's {what} is not what Bitwarden's Public API returns ({count} problems). Check that "
    "the address points to Bitwarden."
)
NETWORK_TIMEOUT = "{host} did not answer in time. Check the network and try again."
API_CONNECT = "Could not connect to {host} ({detail}). Check the address and the network."
API_TRANSPORT = "The connection to {host} failed ({detail}). Try again."

# ---------------------------------------------------------------- SCIM (app.core.scim_client)
SCIM_UNAUTHORIZED = (
    "Bitwarden refused the SCIM key (401). The key may have been rotated in the Admin Console "
    "(Settings → SCIM provisioning), or SCIM is not enabled there: copy the key again and save "
    "the profile."
)
SCIM_NOT_FOUND = (
    "The SCIM URL was not found (404). Copy it again from the Admin Console; on a self-hosted "
    "server, `enable_scim: true` must be set in bwdata/config.yml."
)
SCIM_REDIRECT = "The server answered with a redirect to {where} instead of SCIM data."
SCIM_RATE_LIMITED = "The server asks to slow down (429). Try again in a minute."
SCIM_SERVER_FAILED = "The server failed (HTTP {status}). Try again later."
SCIM_OTHER_STATUS = "The SCIM request failed (HTTP {status})."
SCIM_NOT_A_LIST = "The answer is not a SCIM list; check that the SCIM URL points to Bitwarden."
SCIM_PAGE_TOO_LARGE = "A SCIM page was larger than expected; it was not read."
SCIM_REPEATING = (
    "The server answered a later page with users it had already listed (it ignores startIndex, "
    "or a proxy caches the answer); the list was stopped there."
)
SCIM_ENDLESS = "The server kept returning pages ({pages}); the list was stopped there."
SCIM_READ_FAILED = "Could not read from {host} ({detail}). Check the address and the network."
