"""Browser origins: parsing the allowed list, and checking where a request comes from.

Pure functions, shared by the CORS settings and by any check that must refuse
cross-site requests (a cookie-authenticated endpoint's CSRF check).
"""

from collections.abc import Collection
from urllib.parse import urlsplit

ANY_ORIGIN = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> str:
    """Return an origin as browsers send it in the `Origin` header, or raise ValueError.

    `HTTPS://Example.com:443` becomes `https://example.com`: scheme and host in lower
    case, the scheme's default port left out. A path, query or trailing slash is
    refused rather than dropped, as it hints at a misunderstanding (an origin is not a
    URL). `*` is returned as it is.

    Args:
        value: One entry of the allowed list, e.g. `http://localhost:3000`.

    Returns:
        The normalized origin.

    Raises:
        ValueError: The value is not `scheme://host[:port]` with scheme http or https.
    """
    if value == ANY_ORIGIN:
        return value
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{value!r} is not an origin: {error}") from error
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin: expected http(s)://host[:port]")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{value!r} is not an origin: remove everything after host[:port]")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def split_origins(value: str) -> list[str]:
    """Split a comma-separated list of origins (as set in the environment).

    Args:
        value: For example `http://localhost:3000, https://app.example.com`.

    Returns:
        The non-empty entries, stripped.
    """
    return [part.strip() for part in value.split(",") if part.strip()]


def request_origin(*, origin: str | None, referer: str | None) -> str | None:
    """Where a browser request comes from: its `Origin`, else the origin of its `Referer`.

    Args:
        origin: The `Origin` header, if any.
        referer: The `Referer` header, if any.

    Returns:
        The normalized origin, or None when neither header names one (including
        `Origin: null`, sent by sandboxed pages and privacy-preserving redirects).
    """
    # An Origin header, even `null`, is the browser's word: no falling back to Referer.
    candidate = origin if origin is not None else _origin_of(referer)
    if not candidate or candidate == "null":
        return None
    try:
        return parse_origin(candidate)
    except ValueError:
        return None


def is_allowed_origin(*, origin: str | None, referer: str | None, allowed: Collection[str]) -> bool:
    """Whether a request comes from one of the allowed origins (a CSRF check).

    A request naming no origin at all is refused, and `*` in the list allows nothing
    here: it lets any site read public answers through CORS, never act with a user's
    cookies.

    Args:
        origin: The `Origin` header, if any.
        referer: The `Referer` header, if any.
        allowed: Normalized origins, as `parse_origin` returns them.

    Returns:
        True only when the request's origin is in `allowed`.
    """
    found = request_origin(origin=origin, referer=referer)
    return found is not None and found != ANY_ORIGIN and found in allowed


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + ("" if port is None else f":{port}")
