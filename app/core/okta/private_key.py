"""The service app's private key, as the admin has it, and as the keyring keeps it.

Okta's Admin Console hands out a generated key as a JWK (JSON, with its `kid`) and, on request, as
PEM; keys made with openssl are PEM (PKCS#8, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
All of them are read here. The keyring item of a profile must stay under Windows Credential
Manager's 2,560 bytes (UTF-16), which a 2048-bit RSA key as PEM alone exceeds, so the key is kept
in a compact form of its own: the RSA primes and public exponent (everything else follows from
them), or the EC curve and private scalar, base64url, dot-separated. Signing with the compact form
gives the same signatures as with the original key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pydantic import SecretStr

_COMPACT = "okta-key-v1"
#: The curves Okta takes for a service app's key, with their JOSE algorithm and scalar size.
_CURVES: dict[str, tuple[type[ec.EllipticCurve], str, int, type[hashes.HashAlgorithm]]] = {
    "P-256": (ec.SECP256R1, "ES256", 32, hashes.SHA256),
    "P-384": (ec.SECP384R1, "ES384", 48, hashes.SHA384),
    "P-521": (ec.SECP521R1, "ES512", 66, hashes.SHA512),
}
_MIN_RSA_BITS = 2048


class PrivateKeyError(ValueError):
    """The text is not a private key Okta can take; `str()` says what to give instead."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: Any) -> int:
    if not isinstance(text, str) or not text:
        raise PrivateKeyError("The JWK is missing one of the numbers of a private key.")
    try:
        return int.from_bytes(_unb64("".join(text.split())), "big")
    except ValueError:
        raise PrivateKeyError("The JWK's numbers are not base64url.") from None


def _enc(number: int) -> str:
    return _b64(number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big"))


@dataclass(frozen=True, repr=False)
class SigningKey:
    """A loaded private key: signs client assertions, and says which algorithm it signs with."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    #: The key id a JWK carried (Okta's console puts one in every key it generates).
    kid: str | None = None

    def __repr__(self) -> str:
        return f"SigningKey(alg={self.alg!r}, kid={self.kid!r})"

    @property
    def alg(self) -> str:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return "RS256"
        return _CURVES[_curve_name(self.key)][1]

    def sign(self, data: bytes) -> bytes:
        """A JWS signature over `data` (RSASSA-PKCS1-v1_5, or ECDSA as raw r‖s)."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        _, _, size, digest = _CURVES[_curve_name(self.key)]
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(digest())))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def compact(self) -> SecretStr:
        """The form the keyring keeps (a few hundred characters, for any RSA size up to 4096)."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            numbers = self.key.private_numbers()
            parts = ["rsa", _enc(numbers.public_numbers.e), _enc(numbers.p), _enc(numbers.q)]
        else:
            crv = _curve_name(self.key)
            parts = ["ec", crv, _enc(self.key.private_numbers().private_value)]
        return SecretStr(".".join([_COMPACT, *parts]))


def _curve_name(key: ec.EllipticCurvePrivateKey) -> str:
    for name, (curve, *_rest) in _CURVES.items():
        if isinstance(key.curve, curve):
            return name
    raise PrivateKeyError("Okta takes an EC key only on the P-256, P-384 or P-521 curve.")


def _checked(key: object, kid: str | None = None) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _MIN_RSA_BITS:
            raise PrivateKeyError("Okta takes RSA keys of 2048 bits or more; this one is smaller.")
        return SigningKey(key, kid)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        _curve_name(key)
        return SigningKey(key, kid)
    raise PrivateKeyError("Okta takes an RSA or an EC (P-256, P-384, P-521) private key.")


def _rsa(n: int | None, e: int, d: int | None, p: int | None, q: int | None) -> rsa.RSAPrivateKey:
    if p is None or q is None:
        if n is None or d is None:
            raise PrivateKeyError("The JWK is missing one of the numbers of a private key.")
        p, q = rsa.rsa_recover_prime_factors(n, e, d)
    if d is None:
        d = rsa.rsa_recover_private_exponent(e, p, q)
    if n is not None and n != p * q:
        raise PrivateKeyError("The JWK's numbers do not belong together; copy the key again.")
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()


def _ec(crv: str, d: int) -> ec.EllipticCurvePrivateKey:
    if crv not in _CURVES:
        raise PrivateKeyError("Okta takes an EC key only on the P-256, P-384 or P-521 curve.")
    return ec.derive_private_key(d, _CURVES[crv][0]())


def _from_jwk(data: Any) -> SigningKey:
    if isinstance(data, dict) and isinstance(data.get("keys"), list):
        private = [k for k in data["keys"] if isinstance(k, dict) and "d" in k]
        if len(private) != 1:
            raise PrivateKeyError(
                "The JSON holds a key set without exactly one private key; give that one key."
            )
        data = private[0]
    if not isinstance(data, dict) or "kty" not in data:
        raise PrivateKeyError("The JSON is not a JWK (it has no `kty`).")
    if "d" not in data:
        raise PrivateKeyError(
            "This is the public key. Give the private key: the JWK Okta showed once when it "
            "generated the key (it has a `d`), or the PEM file it came from."
        )
    kid = data.get("kid") if isinstance(data.get("kid"), str) and data.get("kid") else None
    try:
        if data["kty"] == "RSA":
            key: object = _rsa(
                _int(data.get("n")),
                _int(data.get("e")),
                _int(data.get("d")),
                _int(data["p"]) if "p" in data else None,
                _int(data["q"]) if "q" in data else None,
            )
        elif data["kty"] == "EC":
            key = _ec(str(data.get("crv")), _int(data.get("d")))
        else:
            raise PrivateKeyError("Okta takes an RSA or an EC private key (JWK `kty` RSA or EC).")
    except PrivateKeyError:
        raise
    except (ValueError, TypeError):
        raise PrivateKeyError("The JWK's numbers are not a valid private key.") from None
    return _checked(key, kid)


def _from_compact(text: str) -> SigningKey:
    parts = text.split(".")
    try:
        if parts[1:2] == ["rsa"] and len(parts) == 5:
            e, p, q = (_int(x) for x in parts[2:])
            return _checked(_rsa(None, e, None, p, q))
        if parts[1:2] == ["ec"] and len(parts) == 4:
            return _checked(_ec(parts[2], _int(parts[3])))
    except (ValueError, TypeError, ZeroDivisionError):
        pass
    raise PrivateKeyError("The saved private key is damaged; save the service app's key again.")


def _from_pem(text: str) -> SigningKey:
    data = "\n".join(line.strip() for line in text.strip().splitlines()).encode()
    if b"ENCRYPTED" in data:
        raise PrivateKeyError(
            "The private key is encrypted with a passphrase; export it without one "
            "(openssl pkey -in key.pem -out plain.pem)."
        )
    if b"PUBLIC KEY" in data or b"CERTIFICATE" in data:
        raise PrivateKeyError(
            "This is a public key or a certificate. Give the private key "
            "(-----BEGIN PRIVATE KEY-----) whose public key is on the service app."
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise PrivateKeyError(
            "The private key cannot be read: give it as PEM (-----BEGIN PRIVATE KEY-----) or as "
            "the JWK (JSON) Okta showed when it generated the key."
        ) from None
    except Exception:  # the PEM loader raises library errors on garbage inside the armour
        raise PrivateKeyError("The PEM text is damaged; copy the whole key again.") from None
    return _checked(key)


def load_private_key(text: SecretStr | str) -> SigningKey:
    """The key from PEM, JWK JSON, or the compact form; `PrivateKeyError` with a sentence."""
    raw = (text.get_secret_value() if isinstance(text, SecretStr) else text).strip()
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if not raw:
        raise PrivateKeyError("No private key was given.")
    if raw.startswith(_COMPACT + "."):
        return _from_compact(raw)
    if raw.startswith(("{", "[")):
        try:
            data = json.loads(raw)
        except ValueError:
            raise PrivateKeyError("The JSON of the key cannot be read; copy it again.") from None
        return _from_jwk(data)
    if "-----BEGIN" in raw:
        return _from_pem(raw)
    raise PrivateKeyError(
        "That is not a private key: give the PEM file (-----BEGIN PRIVATE KEY-----) or the JWK "
        "(JSON) Okta showed when it generated the key."
    )
