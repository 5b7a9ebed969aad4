"""A native Bitwarden client, just enough to confirm organization members bound to the verified key.

`crypto` (KDFs, EncStrings, RSA), `keys` (wipeable key material), `fingerprint` (the phrase),
`session` (login, unlock, public keys, bulk confirm) and `errors` (one hierarchy, plain sentences).
It shares nothing with the sandbox: both are written from the reference, not from each other.
"""
