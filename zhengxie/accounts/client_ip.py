"""The client's address as the lockout (django-axes) sees it.

Behind a reverse proxy every request comes from the proxy's address. `X-Forwarded-For` is read only when
the request arrives from a proxy named in DJANGO_TRUSTED_PROXIES, and then from the right: each trusted
proxy appends the address it received from, so the right-most address that is not a trusted proxy is the
client. Anything a client writes into the header itself stays to the left of that and is never used.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(_parse(remote), networks):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage can only come from the client: the last good hop is what we know
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
