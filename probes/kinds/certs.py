"""The expiry (notAfter) of a DER-encoded X.509 certificate, read with a minimal DER walker so
that probes need no crypto library and can read certificates that were not verified."""

from __future__ import annotations

from datetime import UTC, datetime

_SEQUENCE, _UTC_TIME, _GENERALIZED_TIME, _EXPLICIT_VERSION = 0x30, 0x17, 0x18, 0xA0


def certificate_not_after(der: bytes) -> datetime:
    """notAfter as an aware UTC datetime; ValueError if the bytes are not a certificate."""
    try:
        _, cert_start, _ = _expect(der, 0, _SEQUENCE)
        _, pos, _ = _expect(der, cert_start, _SEQUENCE)  # tbsCertificate
        tag, _, end = _tlv(der, pos)
        if tag == _EXPLICIT_VERSION:
            pos = end
        for _ in range(3):  # serialNumber, signature algorithm, issuer
            pos = _tlv(der, pos)[2]
        _, validity, _ = _expect(der, pos, _SEQUENCE)
        not_before_end = _tlv(der, validity)[2]
        tag, start, end = _tlv(der, not_before_end)
        return _parse_time(tag, der[start:end].decode("ascii"))
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a DER certificate ({exc})") from None


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at `pos`."""
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 0 < count <= 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def _expect(data: bytes, pos: int, tag: int) -> tuple[int, int, int]:
    found = _tlv(data, pos)
    if found[0] != tag:
        raise ValueError(f"expected DER tag {tag:#x}, found {found[0]:#x}")
    return found


def _parse_time(tag: int, text: str) -> datetime:
    if tag == _UTC_TIME:  # YYMMDDHHMMSSZ; years 50-99 are 19xx (RFC 5280)
        parsed = datetime.strptime(text, "%y%m%d%H%M%SZ")
        if parsed.year >= 2050:
            parsed = parsed.replace(year=parsed.year - 100)
    elif tag == _GENERALIZED_TIME:
        parsed = datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise ValueError(f"expected a time, found DER tag {tag:#x}")
    return parsed.replace(tzinfo=UTC)
