#!/usr/bin/env python3
"""Known-answer vectors for the bridge ticket format, computed outside Rust.

The format is documented in client/src/wire.rs ("Tickets") and bridge/README.md:

    version 1: base64url_no_padding( 0x01 || expiry_u64_be || target_query || tag )
    version 2: base64url_no_padding( 0x02 || expiry_u64_be || subject_len_u8 || subject
                                     || target_query || tag )

where tag is HMAC-SHA256(secret, every byte before it), target_query is `target=<name>` or
`host=<host>&port=<port>`, the values percent-encoded (every byte outside A-Z a-z 0-9 - . _ ~
written as %XX, upper-case hex), and subject is 1-128 bytes of UTF-8 without control
characters (Unicode category Cc).

Only the Python standard library is used (hmac, hashlib, base64, struct, urllib.parse), so the
vectors are independent of the Rust code that must reproduce them
(bridge/src/ticket.rs, test `python_vectors_mint_and_verify_byte_for_byte`).

Regenerate (the output is checked in; a change to it is a change of the wire contract):

    python3 bridge/testdata/ticket_vectors.py > bridge/testdata/ticket_vectors.txt
"""

import base64
import hashlib
import hmac
import struct
import unicodedata
import urllib.parse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def quote(value: str) -> str:
    # safe="" leaves exactly the RFC 3986 unreserved set (Python >= 3.7 includes "~").
    return urllib.parse.quote(value, safe="")


def named(name: str) -> str:
    return "target=" + quote(name)


def host(h: str, port: int) -> str:
    return "host=" + quote(h) + "&port=" + str(port)


def body(expires: int, query: str, version: int = 1) -> bytes:
    return bytes([version]) + struct.pack(">Q", expires) + query.encode("utf-8")


def mint(secret: bytes, expires: int, query: str, version: int = 1) -> str:
    signed = body(expires, query, version)
    tag = hmac.new(secret, signed, hashlib.sha256).digest()
    return b64url(signed + tag)


def body2(expires: int, subject: bytes, query: str, version: int = 2, length=None) -> bytes:
    """A version-2 body; `length` overrides the subject length byte (for malformed ones)."""
    length = len(subject) if length is None else length
    return (
        bytes([version]) + struct.pack(">Q", expires) + bytes([length]) + subject
        + query.encode("utf-8")
    )


def sign(secret: bytes, signed: bytes) -> str:
    return b64url(signed + hmac.new(secret, signed, hashlib.sha256).digest())


def valid_subject(subject: str) -> bool:
    raw = subject.encode("utf-8")
    return 1 <= len(raw) <= 128 and not any(unicodedata.category(c) == "Cc" for c in subject)


def mint2(secret: bytes, expires: int, subject: str, query: str) -> str:
    assert valid_subject(subject), subject
    return sign(secret, body2(expires, subject.encode("utf-8"), query))


def flip(ticket: str, index: int) -> str:
    """The ticket with one bit of decoded byte `index` flipped (negative: from the end)."""
    raw = bytearray(base64.urlsafe_b64decode(ticket + "=" * (-len(ticket) % 4)))
    raw[index] ^= 0x01
    return b64url(bytes(raw))


def standard_alphabet(ticket: str) -> str:
    """The ticket in the standard base64 alphabet (`+` and `/` instead of `-` and `_`)."""
    converted = ticket.replace("-", "+").replace("_", "/")
    assert converted != ticket, "pick a ticket with - or _ in it"
    return converted


SECRET_A = b"0123456789abcdef0123456789abcdef"  # 32 bytes, the shortest accepted
SECRET_B = b"0123456789abcdef0123456789abcdef0123456789abcdef"  # the README's example length
SECRET_C = bytes(range(256))[::3] + b"\xff\x00\x80"  # 89 bytes, non-ASCII, longer than a block

MINT = [
    (SECRET_A, 0x0102030405060708, named("work")),
    (SECRET_B, 2_000_000_000, named("work")),
    (SECRET_A, 1_700_000_000, named("work-mail.example_1")),
    (SECRET_B, 1_700_000_300, host("imap.example.com", 993)),
    (SECRET_C, 4_102_444_800, host("::1", 1993)),
    (SECRET_C, 0xFFFFFFFFFFFFFFFF, named("a" * 253)),
    (SECRET_A, 1, host("IMAP.Example.ORG", 65535)),
    # The longest target a ticket may carry: exactly 512 bytes (166 colons, each %3A).
    (SECRET_B, 2_000_000_000, host(":" * 166, 993)),
]

# Version 2: (secret, expires, subject, target query).
MINT2 = [
    (SECRET_A, 0x0102030405060708, "alice", named("work")),
    (SECRET_B, 2_000_000_000, "alice@example.com", named("work")),
    # The shortest subject, one byte.
    (SECRET_A, 1_700_000_000, "a", host("imap.example.com", 993)),
    # Not ASCII, with spaces: the length byte counts bytes (14 characters, 16 bytes).
    (SECRET_C, 4_102_444_800, "jürgen müller", host("::1", 1993)),
    # Characters that mean something in a query or a log line are just bytes here.
    (SECRET_A, 1, "user:42|tenant=7&x=/ ~\u00a0\u200b", named("a")),
    # The longest subject: exactly 128 bytes.
    (SECRET_B, 2_000_000_000, "x" * 128, named("work")),
    # The longest ticket: a 128-byte subject (64 two-byte characters) and a 512-byte target,
    # 682 bytes decoded.
    (SECRET_C, 0xFFFFFFFFFFFFFFFF, "é" * 64, host(":" * 166, 993)),
]


def main() -> None:
    print("# Generated by ticket_vectors.py (Python hmac/hashlib/base64); do not edit by hand.")
    print("# mint <secret-hex> <expires> <target-query> <ticket>")
    print("#   the ticket minted for that target and expiry; valid at expires-1, expired at expires")
    print("# mint2 <secret-hex> <expires> <subject-utf8-hex> <target-query> <ticket>")
    print("#   the same for a version-2 ticket with that subject, which verifying returns")
    print("# reject <secret-hex> <now> <target-query> <ticket> <error>")
    print("#   verifying the ticket for that target at that time fails with that TicketError")
    for secret, expires, query in MINT:
        print(f"mint {secret.hex()} {expires} {query} {mint(secret, expires, query)}")
    for secret, expires, subject, query in MINT2:
        ticket = mint2(secret, expires, subject, query)
        print(f"mint2 {secret.hex()} {expires} {subject.encode().hex()} {query} {ticket}")

    work = named("work")
    good = mint(SECRET_A, 2_000_000_000, work)
    rejects = [
        # One bit flipped in the version, the expiry, the target and the tag.
        (SECRET_A, 1_000, work, flip(good, 0), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good, 8), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good, 9), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good, -1), "BadSignature"),
        # Minted with another secret.
        (SECRET_A, 1_000, work, mint(SECRET_B, 2_000_000_000, work), "BadSignature"),
        # Correctly signed, but expired (the expiry second itself is already invalid).
        (SECRET_A, 2_000_000_000, work, good, "Expired"),
        (SECRET_A, 2_000_000_001, work, good, "Expired"),
        # Correctly signed for another target.
        (SECRET_A, 1_000, named("other"), good, "WrongTarget"),
        (SECRET_A, 1_000, host("work", 993), good, "WrongTarget"),
        # Correctly signed, version 2 but a version-1 body: its subject length byte is the
        # "t" of "target=work" (116), which runs past the end.
        (SECRET_A, 1_000, work, mint(SECRET_A, 2_000_000_000, work, version=2), "Malformed"),
        # Padding is not allowed (base64url *without* padding).
        (SECRET_A, 1_000, work, good + "=", "Malformed"),
        # Standard base64 alphabet instead of base64url.
        (SECRET_A, 1_000, work, standard_alphabet(good), "Malformed"),
        # Too short to hold version, expiry, one target byte and the tag (41 bytes).
        (SECRET_A, 1_000, work, b64url(b"\x01" + b"\x00" * 8 + b"\x00" * 32), "Malformed"),
        # The shortest well-formed ticket (a 1-byte target, 42 bytes): signed, so only the
        # target check refuses it.
        (SECRET_A, 1_000, work, mint(SECRET_A, 2_000_000_000, "x"), "WrongTarget"),
        # One byte over the longest target (513 bytes), correctly signed.
        (SECRET_B, 1_000, host(":" * 167, 993), mint(SECRET_B, 2_000_000_000, host(":" * 167, 993)), "Malformed"),
    ]

    good2 = mint2(SECRET_A, 2_000_000_000, "alice", work)
    alice = b"alice"
    colons = host(":" * 166, 9930)  # a 513-byte target
    rejects += [
        # Version 2. One bit flipped in the version, the expiry, the subject length, the
        # subject, the target and the tag.
        (SECRET_A, 1_000, work, flip(good2, 0), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good2, 8), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good2, 9), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good2, 10), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good2, 15), "BadSignature"),
        (SECRET_A, 1_000, work, flip(good2, -1), "BadSignature"),
        # Minted with another secret.
        (SECRET_A, 1_000, work, mint2(SECRET_B, 2_000_000_000, "alice", work), "BadSignature"),
        # Correctly signed, but expired.
        (SECRET_A, 2_000_000_000, work, good2, "Expired"),
        (SECRET_A, 2_000_000_001, work, good2, "Expired"),
        # Correctly signed for another target.
        (SECRET_A, 1_000, named("other"), good2, "WrongTarget"),
        (SECRET_A, 1_000, host("work", 993), good2, "WrongTarget"),
        # The shortest well-formed version-2 ticket (1-byte subject, 1-byte target, 44 bytes).
        (SECRET_A, 1_000, work, mint2(SECRET_A, 2_000_000_000, "a", "x"), "WrongTarget"),
        # Correctly signed, subject length 0.
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"", work)), "Malformed"),
        # Correctly signed, the subject length runs past the end (20 > 5 + 11 bytes left).
        (SECRET_A, 1_000, work,
         sign(SECRET_A, body2(2_000_000_000, alice, work, length=20)), "Malformed"),
        # Correctly signed, the subject length takes everything that is left: no target.
        (SECRET_A, 1_000, work,
         sign(SECRET_A, body2(2_000_000_000, alice, work, length=16)), "Malformed"),
        # Correctly signed, a 129-byte subject (and 255 bytes, the largest length byte).
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"a" * 129, work)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"a" * 255, work)), "Malformed"),
        # Correctly signed, well-formed version-2 bodies with unknown versions 3, 0 and 255.
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, alice, work, version=3)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, alice, work, version=0)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, alice, work, version=255)), "Malformed"),
        # Correctly signed, a control character in the subject: NUL, LF, DEL and U+0085
        # (a C1 control, two bytes of UTF-8).
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"ali\x00ce", work)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"ali\nce", work)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"alice\x7f", work)), "Malformed"),
        (SECRET_A, 1_000, work,
         sign(SECRET_A, body2(2_000_000_000, "ali\u0085ce".encode(), work)), "Malformed"),
        # Correctly signed, a subject that is not UTF-8 (a lone continuation byte; a
        # truncated two-byte sequence).
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"ali\x80ce", work)), "Malformed"),
        (SECRET_A, 1_000, work, sign(SECRET_A, body2(2_000_000_000, b"alic\xc3", work)), "Malformed"),
        # Correctly signed, a 128-byte subject and a 513-byte target (683 bytes, one over the
        # longest ticket).
        (SECRET_B, 1_000, colons, sign(SECRET_B, body2(2_000_000_000, b"x" * 128, colons)), "Malformed"),
        # The longest ticket (682 bytes) signed with another secret: the length is fine, so
        # the signature is what fails; one byte longer (683), the length fails first.
        (SECRET_B, 1_000, host(":" * 166, 993),
         mint2(SECRET_A, 2_000_000_000, "x" * 128, host(":" * 166, 993)), "BadSignature"),
        (SECRET_B, 1_000, colons,
         sign(SECRET_A, body2(2_000_000_000, b"x" * 128, colons)), "Malformed"),
    ]
    for secret, now, query, ticket, error in rejects:
        print(f"reject {secret.hex()} {now} {query} {ticket} {error}")


if __name__ == "__main__":
    main()
