"""The promised delivery window as an iCalendar (RFC 5545) all-day event. No Flask, no personal data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def _escape(text: str) -> str:
    """TEXT values escape backslash, semicolon and comma, and keep newlines as \\n."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])


def delivery_window(number: str, shop_name: str, earliest: date, latest: date, stamp: datetime, domain: str) -> str:
    """One all-day event from `earliest` to `latest` inclusive; only the order number identifies the order."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(shop_name)}//Delivery window//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:delivery-{number}@{domain}",
        f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{earliest:%Y%m%d}",
        f"DTEND;VALUE=DATE:{latest + timedelta(days=1):%Y%m%d}",  # DTEND of an all-day event is exclusive
        f"SUMMARY:{_escape(f'{shop_name}: e-bike delivery window (order {number})')}",
        f"DESCRIPTION:{_escape(f'Your bike from order {number} is promised to arrive in this window.')}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
