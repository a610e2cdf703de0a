"""The addresses a workshop room types: this machine's network address, not 0.0.0.0.

A server listening on every address (``0.0.0.0``) is reached through the
machine's own address on the local network, such as ``192.168.1.23``.
:func:`lan_addresses` finds those without sending anything anywhere: "connecting"
a UDP socket only asks the system which of its addresses it would use.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import quote

from coachkit.web.front_door import is_loopback

#: Listening on these means "every address of this machine".
EVERYWHERE = ("", "0.0.0.0", "::")
#: A documentation address (TEST-NET-1, RFC 5737): nothing is ever sent to it.
_PROBE = ("192.0.2.1", 9)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks, best first; [] when offline."""
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)  # UDP: picks the outgoing address, sends nothing
            found.append(str(probe.getsockname()[0]))
    except OSError:
        pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    found += [str(info[4][0]) for info in infos]
    usable = []
    for address in found:
        ip = ipaddress.ip_address(address)
        local = ip.is_loopback or ip.is_unspecified or ip.is_link_local
        if not local and address not in usable:
            usable.append(address)
    return usable


def hosts_for(host: str) -> list[str]:
    """The host names people type to reach a server listening on ``host``."""
    if host in EVERYWHERE:
        return lan_addresses() or [socket.gethostname()]
    return [host]


def address(host: str, port: int, base_url: str = "/") -> str:
    """``http://host:port/base/`` (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_url}"


def room_addresses(host: str, port: int, base_url: str = "/") -> list[str]:
    """Every address of a server listening on ``host``, as people type it."""
    return [address(h, port, base_url) for h in hosts_for(host)]


def with_key(url: str, key: str) -> str:
    """``url`` with the server's key, so it opens the door by itself."""
    if not key:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}token={quote(key, safe='')}"


def reaches_others(host: str) -> bool:
    """Whether other machines can reach a server listening on ``host``."""
    return not is_loopback(host)
