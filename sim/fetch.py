"""HTTP as a browser makes it for one session: the cookies so far go with every request, and
the cookies every answer sets are kept (the server's XSRF cookie, the proxy's affinity cookie).
"""
from __future__ import annotations

import asyncio
import http.cookies
import urllib.error
import urllib.request
import uuid


def cookie_header(cookies: dict[str, str], leave_out: str = "") -> str:
    """The ``Cookie`` header for ``cookies``, without the one named ``leave_out``."""
    return "; ".join(f"{k}={v}" for k, v in cookies.items() if not leave_out or k != leave_out)


async def request(method: str, url: str, cookie: str, timeout: float,
                  body: bytes | None = None, headers: dict[str, str] | None = None
                  ) -> tuple[int, bytes, list[str]]:
    """One request, in a thread: (status, body, the ``Set-Cookie`` headers of the answer).
    An HTTP error is an answer too."""
    def go() -> tuple[int, bytes, list[str]]:
        h = {"Cookie": cookie, **(headers or {})}
        req = urllib.request.Request(url, data=body, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read(), r.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers.get_all("Set-Cookie") or []
    return await asyncio.to_thread(go)


def keep(cookies: dict[str, str], set_cookies: list[str]) -> None:
    """Put what the ``Set-Cookie`` headers set into ``cookies`` (one the standard parser
    refuses is kept by its name and value)."""
    for sc in set_cookies:
        c = http.cookies.SimpleCookie()
        try:
            c.load(sc)
        except http.cookies.CookieError:
            name, _, rest = sc.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0].strip()
            continue
        for k, morsel in c.items():
            cookies[k] = morsel.value


def multipart(filename: str, data: bytes, mime: str) -> tuple[bytes, str]:
    """A browser's form upload of one file: (body, its ``Content-Type``)."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
