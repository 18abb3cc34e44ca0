"""The client side of Cognito's USER_SRP_AUTH, written here from the
protocol (SRP-6a, RFC 5054, with Cognito's derivations as its clients
implement them), so the pool is checked against an independent
implementation and not against its own code.

Cognito: SRP-6a over the RFC 5054 3072-bit group with g = 2 and SHA-256.
Numbers are hashed in their minimal big-endian two's-complement form (a
0x00 byte before a leading byte >= 0x80). The session key is HKDF-SHA256
of S with salt u and info "Caldera Derived Key", 16 bytes. The
PASSWORD_VERIFIER answer signs, with HMAC-SHA256 keyed by that key, the
pool name (the pool ID after "_"), USER_ID_FOR_SRP, the SECRET_BLOCK bytes
and the TIMESTAMP string ("EEE MMM d HH:mm:ss UTC yyyy", English, UTC).
"""

import base64
import datetime
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# RFC 5054, Appendix A, the 3072-bit group (the same prime as RFC 3526's
# 3072-bit MODP group).
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def pad(n):
    """The number as Java's BigInteger.toByteArray writes it."""
    b = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return b"\x00" + b if b[0] & 0x80 else b


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def as_int(b):
    return int.from_bytes(b, "big")


K_MULTIPLIER = as_int(sha256(pad(N), pad(G)))


def timestamp(now=None):
    """TIMESTAMP as Cognito wants it: "Tue Aug 5 09:03:07 UTC 2025"."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return f"{_DAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} {now:%H:%M:%S} UTC {now.year}"


class Client:
    """One SRP sign-in: a fresh ephemeral a, A = g^a mod N."""

    def __init__(self):
        while True:
            self.a = secrets.randbits(256)
            self.A = pow(G, self.a, N)
            if self.A % N:
                break

    @property
    def srp_a(self):
        return format(self.A, "x")

    def answer(self, pool_id, params, password, now=None):
        """The PASSWORD_VERIFIER challenge responses for the challenge
        parameters params (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP)."""
        pool_name = pool_id.split("_", 1)[1]
        user_id = params["USER_ID_FOR_SRP"]
        B = int(params["SRP_B"], 16)
        salt = int(params["SALT"], 16)
        assert B % N != 0, "the server's B must not be 0 mod N"
        u = as_int(sha256(pad(self.A), pad(B)))
        assert u != 0
        inner = sha256(f"{pool_name}{user_id}:{password}".encode())
        x = as_int(sha256(pad(salt), inner))
        S = pow((B - K_MULTIPLIER * pow(G, x, N)) % N, self.a + u * x, N)
        key = HKDF(
            algorithm=hashes.SHA256(), length=16, salt=pad(u), info=b"Caldera Derived Key"
        ).derive(pad(S))
        ts = timestamp(now)
        message = pool_name.encode() + user_id.encode() + base64.b64decode(params["SECRET_BLOCK"]) + ts.encode()
        signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": ts,
        }
