#!/usr/bin/python3
"""Differential test of the Ed25519 wrapper against Python's cryptography module (OpenSSL).

    test_sig_diff.py SIG_DRIVER [CASES]

Random cases (a fixed PRNG seed, so every run is the same): a seed and a message of 0..4096
bytes each. The wrapper (through sig_driver, tests/crypto/sig_driver.c) and the reference must
give the same public key and signature, and the same verdict on the signature and on altered
ones: message changed, one bit of the signature flipped, S + L (not below the group order),
R or the public key replaced by a small-order point, by a non-canonical encoding.

Crafted inputs, built with the curve arithmetic below (RFC 8032's formulas, in pure Python):
  - mixed-order public keys (a key plus a small-order point) with signatures that satisfy the
    equation: both accept;
  - R a non-canonical encoding of the identity with S = h*a: both refuse;
  - by design, where libsodium's strict verify differs from OpenSSL's: a small-order public key
    (each of the 14 encodings) with a signature that satisfies the equation, and R the identity
    with S = h*a. OpenSSL accepts them (checked, so that each input really satisfies the
    equation); the wrapper must refuse them (docs/crypto.md).
"""
import hashlib
import random
import subprocess
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                                   Ed25519PublicKey)
except ImportError:
    sys.exit("test_sig_diff: python3-cryptography is missing: run ./scripts/setup.sh")

PRNG_SEED = 8032
CASES = 2000
MSG_MAX = 4096
# Lengths every run covers: SHA-512 block edges (a 128-byte block, 112 bytes before padding
# spills) and the extremes.
EDGE_LENGTHS = [0, 1, 2, 63, 64, 65, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 1023,
                1024, 4095, 4096]
MIXED_ORDER_KEYS = 64
EBADSIG = -3  # -SIG_EBADSIG (include/crypto/sig.h)

# --- Curve arithmetic: edwards25519 in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z.
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)


def point_add(a, b):
    pa = (a[1] - a[0]) * (b[1] - b[0]) % P
    pb = (a[1] + a[0]) * (b[1] + b[0]) % P
    pc = 2 * a[3] * b[3] * D % P
    pd = 2 * a[2] * b[2] % P
    e, f, g, h = pb - pa, pd - pc, pd + pc, pb + pa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_mul(s, a):
    q = IDENTITY
    while s > 0:
        if s & 1:
            q = point_add(q, a)
        a = point_add(a, a)
        s >>= 1
    return q


def point_neg(a):
    return (-a[0] % P, a[1], a[2], -a[3] % P)


def encode(a):
    zi = pow(a[2], P - 2, P)
    x, y = a[0] * zi % P, a[1] * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def decode_lax(b):
    """The point an encoding names, reading y modulo p (as OpenSSL does), or None."""
    v = int.from_bytes(b, "little")
    y, sign = (v & (2**255 - 1)) % P, v >> 255
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if x & 1 != sign:
        x = -x % P
    return (x, y, 1, x * y % P)


BASE_Y = 4 * pow(5, P - 2, P) % P
BASE = decode_lax(BASE_Y.to_bytes(32, "little"))


def secret_scalar(seed):
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


def challenge(r_enc, a_enc, msg):
    return int.from_bytes(hashlib.sha512(r_enc + a_enc + msg).digest(), "little") % L


def torsion_points(rnd):
    """The 8 points of order dividing 8, T[k] = k * T[1], T[1] of order 8."""
    while True:
        y = rnd.randrange(P)
        point = decode_lax(y.to_bytes(32, "little"))
        if point is None:
            continue
        t = point_mul(L, point)  # kills the prime-order part
        if encode(point_mul(4, t)) != encode(IDENTITY):
            return [point_mul(k, t) for k in range(8)]


def encodings_of(points):
    """Every 32-byte string that names one of `points` (y or y + p, either sign bit)."""
    out = set()
    for point in points:
        y = int.from_bytes(encode(point), "little") & (2**255 - 1)
        for yy in (y, y + P):
            for sign in (0, 1):
                b = (yy | sign << 255).to_bytes(32, "little") if yy < 2**255 else None
                if b is not None and decode_lax(b) is not None and \
                        encode(decode_lax(b)) == encode(point):
                    out.add(b)
    return sorted(out)


def non_canonical_encodings(exclude):
    """Encodings y + p (y < 19) of points that are not in `exclude`."""
    out = []
    for y in range(19):
        for sign in (0, 1):
            b = (y + P | sign << 255).to_bytes(32, "little")
            if decode_lax(b) is not None and b not in exclude:
                out.append(b)
    return out


# --- The reference.
def ref_keypair(seed):
    key = Ed25519PrivateKey.from_private_bytes(seed)
    pk = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, pk


def ref_verify(pk, sig, msg):
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
        return True
    except InvalidSignature:
        return False


class Run:
    """Commands for sig_driver and, for each answer line, the check that reads it."""

    def __init__(self):
        self.lines = []
        self.checks = []
        self.msg = b""
        self.counts = {}

    def message(self, msg):
        self.msg = msg
        self.lines.append("M " + (msg.hex() or "-"))
        self.checks.append(("set message", lambda got: got == "ok", "ok"))

    def flip(self, bit):
        m = bytearray(self.msg)
        m[bit // 8] ^= 1 << (bit % 8)
        self.msg = bytes(m)
        self.lines.append(f"F {bit}")
        self.checks.append(("flip a message bit", lambda got: got == "ok", "ok"))

    def sign(self, seed, what, pk, sig):
        want = f"{pk.hex()} {sig.hex()}"
        self.lines.append("S " + seed.hex())
        self.checks.append((what, lambda got: got == want, want))

    def verify(self, category, pk, sig, ref, want_ref=None):
        """Check the wrapper's verdict: the reference's `ref`, or refusal where `ref` is None.
        `want_ref`, when given, is what the reference must say for the input to be meaningful."""
        if want_ref is not None and ref_verify(pk, sig, self.msg) != want_ref:
            sys.exit(f"test_sig_diff: {category}: OpenSSL no longer says {want_ref} for a crafted "
                     f"input (pk {pk.hex()}, sig {sig.hex()}); revisit the expectation")
        want = str(0 if ref else EBADSIG)
        self.lines.append(f"V {pk.hex()} {sig.hex()}")
        desc = f"{category}: pk {pk.hex()} sig {sig.hex()} msg {len(self.msg)} bytes"
        self.checks.append((desc, lambda got: got == want, want))
        self.counts[category] = self.counts.get(category, 0) + 1


def random_cases(run, rnd, cases, small_order, non_canonical):
    for i in range(cases):
        seed = rnd.randbytes(32)
        length = EDGE_LENGTHS[i] if i < len(EDGE_LENGTHS) else rnd.randint(0, MSG_MAX)
        msg = rnd.randbytes(length)
        key, pk = ref_keypair(seed)
        sig = key.sign(msg)
        run.message(msg)
        run.sign(seed, f"case {i}: public key and signature of a {length}-byte message", pk, sig)
        run.verify("valid", pk, sig, ref_verify(pk, sig, msg), want_ref=True)
        bit = rnd.randrange(512)
        bad = bytearray(sig)
        bad[bit // 8] ^= 1 << (bit % 8)
        run.verify("signature bit flipped", pk, bytes(bad), ref_verify(pk, bytes(bad), msg))
        s_plus_l = (int.from_bytes(sig[32:], "little") + L).to_bytes(32, "little")
        run.verify("S + L", pk, sig[:32] + s_plus_l, ref_verify(pk, sig[:32] + s_plus_l, msg))
        a = rnd.choice(small_order)
        run.verify("small-order public key", a, sig, ref_verify(a, sig, msg))
        r = rnd.choice(small_order)
        run.verify("small-order R", pk, r + sig[32:], ref_verify(pk, r + sig[32:], msg))
        nc = rnd.choice(non_canonical)
        run.verify("non-canonical R", pk, nc + sig[32:], ref_verify(pk, nc + sig[32:], msg))
        run.verify("non-canonical public key", nc, sig, ref_verify(nc, sig, msg))
        if length > 0:
            run.flip(rnd.randrange(8 * length))
        else:
            run.message(b"\x00")
        run.verify("message altered", pk, sig, ref_verify(pk, sig, run.msg))


def mixed_order_keys(run, rnd, torsion):
    """A key plus a small-order point, signed so that the equation holds: R = r*B + T[j] with
    -h*T[k] = T[j]. libsodium and OpenSSL both accept (neither checks the key's subgroup)."""
    for _ in range(MIXED_ORDER_KEYS):
        seed = rnd.randbytes(32)
        a = secret_scalar(seed)
        k = rnd.randrange(1, 8)
        a_enc = encode(point_add(point_mul(a, BASE), torsion[k]))
        msg = rnd.randbytes(rnd.randint(0, 256))
        while True:
            r = rnd.randrange(1, L)
            rb = point_mul(r, BASE)
            found = None
            for j in range(8):
                r_enc = encode(point_add(rb, torsion[j]))
                h = challenge(r_enc, a_enc, msg)
                if encode(point_mul(h % 8, point_neg(torsion[k]))) == encode(torsion[j]):
                    found = (r_enc, h)
                    break
            if found:
                break
        r_enc, h = found
        sig = r_enc + ((r + h * a) % L).to_bytes(32, "little")
        run.message(msg)
        run.verify("mixed-order public key (both accept)", a_enc, sig, True, want_ref=True)


def small_order_keys(run, rnd, small_order):
    """Each small-order public key with a signature that satisfies the cofactorless equation
    (S*B - h*A = R, h*A depending only on h mod 8): OpenSSL accepts, the wrapper refuses."""
    for a_enc in small_order:
        a = decode_lax(a_enc)
        msg = rnd.randbytes(32)
        while True:
            s = rnd.randrange(L)
            sb = point_mul(s, BASE)
            r_enc = encode(point_add(sb, point_mul(rnd.randrange(8), a)))
            h = challenge(r_enc, a_enc, msg)
            if encode(point_add(sb, point_mul(h % 8, point_neg(a)))) == r_enc:
                break
        run.message(msg)
        run.verify("small-order public key satisfying the equation (by design: refused)",
                   a_enc, r_enc + s.to_bytes(32, "little"), None, want_ref=True)


def identity_r(run, rnd, r_encodings, category, want_ref):
    """R one of `r_encodings` (the identity) and S = h*a: S*B - h*A is the identity."""
    for r_enc in r_encodings:
        seed = rnd.randbytes(32)
        _, pk = ref_keypair(seed)
        msg = rnd.randbytes(32)
        s = challenge(r_enc, pk, msg) * secret_scalar(seed) % L
        run.message(msg)
        run.verify(category, pk, r_enc + s.to_bytes(32, "little"), None, want_ref=want_ref)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: test_sig_diff.py SIG_DRIVER [CASES]")
    driver = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) == 3 else CASES
    rnd = random.Random(PRNG_SEED)

    torsion = torsion_points(rnd)
    small_order = encodings_of(torsion)
    identity_encodings = encodings_of([IDENTITY])
    non_canonical = non_canonical_encodings(set(small_order))
    # 8 points: 8 canonical encodings, the sign bit set on the two with x = 0, y + p for the
    # two with y < 19 (0 and 1), each with either sign bit.
    if len(small_order) != 14 or len(identity_encodings) != 4 or not non_canonical:
        sys.exit("test_sig_diff: the curve arithmetic found "
                 f"{len(small_order)} small-order encodings (expected 14), "
                 f"{len(identity_encodings)} of the identity (expected 4), "
                 f"{len(non_canonical)} other non-canonical ones")

    run = Run()
    random_cases(run, rnd, cases, small_order, non_canonical)
    mixed_order_keys(run, rnd, torsion)
    small_order_keys(run, rnd, small_order)
    canonical_identity = encode(IDENTITY)
    identity_r(run, rnd, [canonical_identity] * 8,
               "R the identity, S = h*a (by design: refused)", True)
    identity_r(run, rnd, [e for e in identity_encodings if e != canonical_identity],
               "R a non-canonical identity, S = h*a (both refuse)", False)

    proc = subprocess.run([driver], input="\n".join(run.lines) + "\n", capture_output=True,
                          text=True, timeout=600, check=False)
    if proc.returncode != 0:
        sys.exit(f"test_sig_diff: sig_driver exited {proc.returncode}: {proc.stderr.strip()}")
    answers = proc.stdout.splitlines()
    if len(answers) != len(run.checks):
        sys.exit(f"test_sig_diff: sig_driver gave {len(answers)} answers to {len(run.checks)} commands")
    failures = [(what, want, got) for (what, ok, want), got in zip(run.checks, answers) if not ok(got)]
    for what, want, got in failures[:10]:
        print(f"test_sig_diff: MISMATCH {what}: expected {want}, wrapper gave {got}")

    signed = sum(1 for line in run.lines if line.startswith("S "))
    print(f"test_sig_diff: {cases} random cases (PRNG seed {PRNG_SEED}, messages 0..{MSG_MAX} "
          f"bytes): {signed} public keys and signatures compared")
    for category, n in run.counts.items():
        print(f"  verify, {category}: {n}")
    print(f"test_sig_diff: {len(run.checks)} answers checked, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
