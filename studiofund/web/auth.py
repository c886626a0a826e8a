"""The login middleware in front of Fava: who is asking, and may they ask this.

Scripts use HTTP Basic (``curl -u name:password``); browsers get a Chinese login page at
``/login`` and a server-side session (:mod:`.sessions`; ``/logout`` ends it). After
authentication the request's :class:`~studiofund.web.scope.Access` goes into the WSGI environ for
Fava's scoped ledger registry, the rules of :mod:`.rules` are applied, and a ledger outside the
user's scope answers 404 as if it did not exist.

Around that: failed logins are braked per user and per address; the login form carries a CSRF
token bound to a cookie; a request that changes something must not come from another site
(``Origin``); request bodies are limited; every response gets security headers (and HSTS over
HTTPS). Behind a TLS proxy (``serve --behind-proxy``) the cookies are ``Secure`` and named with
the ``__Host-`` prefix.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import jinja2
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from .rules import Denial, check_request, split_ledger_path
from .scope import ACCESS_KEY, Access
from .sessions import SESSION_MAX_AGE, LoginThrottle, SessionStore, wait_message
from .users import User, UserDirectory, load_users, UsersFileError

if TYPE_CHECKING:  # pragma: no cover
    from .scope import ScopedLedgers

COOKIE_NAME = "studiofund_session"
CSRF_COOKIE_NAME = "studiofund_login"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
REALM = "studiofund"
#: Largest request body: a scan uploaded through the desk fits, a flood does not.
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_LOGIN_BODY_BYTES = 16 * 1024

_TEMPLATE_DIRS = (Path(__file__).parent / "templates", Path(__file__).parent / "fava_extension" / "templates")
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S | re.I)
_INLINE_HANDLER = re.compile(r"\son[a-z]+=\"([^\"]*)\"", re.I)


def inline_script_hashes(directories=_TEMPLATE_DIRS) -> list[str]:
    """CSP sources for the static inline scripts and event handlers of our own templates.

    The policy forbids inline script (an injected ``<script>`` must not run); the few our pages
    carry — the overview's table sorting, the voucher sheet's print button — are allowed by the
    hash of their exact text. A script with template expressions in it has no fixed hash and is
    not allowed: put such code in a static file."""
    found = set()
    for directory in directories:
        for template in sorted(directory.glob("*.html")):
            text = template.read_text(encoding="utf-8")
            for code in [*_INLINE_SCRIPT.findall(text), *_INLINE_HANDLER.findall(text)]:
                if "{{" not in code and "{%" not in code:
                    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
                    found.add(f"'sha256-{digest}'")
    return sorted(found)


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-hashes' " + " ".join(inline_script_hashes())
     + "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
     "object-src 'self'; frame-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    ("Cache-Control", "no-store"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)


class UsersSource:
    """The users file, re-read when it changes (``user add`` while the server runs)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.directory: UserDirectory | None = None
        self._stamp: tuple[float, int, int] | None = None

    def current(self) -> UserDirectory | None:
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except OSError:
            return self.directory  # keep the last good version
        stamp = (info.st_mtime, info.st_size, info.st_ino)
        if stamp != self._stamp:
            try:
                self.directory = load_users(self.path)
                self._stamp = stamp
            except UsersFileError:
                if self.directory is None:
                    raise
        return self.directory


def session_tag(user: User) -> str:
    """A short fingerprint of the password hash: changing the password ends old sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class AuthMiddleware:
    """WSGI middleware: authentication, role rules and ledger scope in front of Fava."""

    def __init__(self, app: Any, ledgers: ScopedLedgers, users: UsersSource,
                 secret: bytes | None = None, *, secure_cookies: bool = False,
                 sessions: SessionStore | None = None, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.ledgers = ledgers
        self.users = users
        self.secret = secret or secrets.token_bytes(32)
        self.secure_cookies = secure_cookies
        self.sessions = sessions or SessionStore()
        self.throttle = throttle or LoginThrottle()
        prefix = "__Host-" if secure_cookies else ""
        self.cookie_name = prefix + COOKIE_NAME
        self.csrf_cookie_name = prefix + CSRF_COOKIE_NAME

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any):
        request = Request(environ)
        respond = self._with_headers(start_response, request.is_secure)
        too_big = _body_too_big(environ)
        if too_big is not None:
            return too_big(environ, respond)
        path = request.path
        if request.method not in ("GET", "HEAD") and not _same_origin(request):
            return self._denied(request, Denial(403, "拒绝来自其他网站的请求（Origin 不符）。"))(environ, respond)
        directory = self.users.current()
        if directory is None and not _loopback_host(request.host):
            # no login: only this machine may ask, and only by a name of this machine (a web
            # page whose name was re-pointed at 127.0.0.1 — DNS rebinding — must not read it)
            return self._denied(request, Denial(403, "无登录模式只接受本机地址（localhost、127.0.0.1）的访问。"))(environ, respond)
        if path == LOGIN_PATH:
            return self._login(request, directory)(environ, respond)
        if path == LOGOUT_PATH:
            return self._logout(request)(environ, respond)
        if directory is None:
            access = Access(None)
        else:
            user, challenge = self._authenticate(request, directory)
            if user is None:
                return challenge(environ, respond)
            access = Access(user)
        denial = self._authorize(access, request)
        if denial is not None:
            return self._denied(request, denial)(environ, respond)
        environ[ACCESS_KEY] = access
        return self.app(environ, respond)

    def _with_headers(self, start_response: Any, secure: bool) -> Any:
        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            for name, value in SECURITY_HEADERS:
                if name.lower() not in present:
                    headers.append((name, value))
            if (secure or self.secure_cookies) and HSTS[0].lower() not in present:
                headers.append(HSTS)
            return start_response(status, headers, exc_info)

        return respond

    # -- authentication --------------------------------------------------------------------
    def _check_password(self, directory: UserDirectory, name: str, password: str,
                        address: str) -> tuple[User | None, str]:
        """The user, or None and the refusal ('' for a plain wrong password)."""
        name = name[:200]
        wait = self.throttle.wait(name, address)
        if wait > 0:
            return None, wait_message(wait)
        user = directory.authenticate(name, password) if name and password else None
        if user is None:
            self.throttle.failed(name, address)
            return None, ""
        self.throttle.succeeded(name)
        return user, ""

    def _authenticate(self, request: Request, directory: UserDirectory) -> tuple[User | None, Any]:
        auth = request.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            name, password = _basic_credentials(auth[6:])
            user, refusal = self._check_password(directory, name, password, _address(request))
            if refusal:
                return None, _json_response({"error": refusal}, 429)
            if user is None:
                return None, _unauthorized("用户名或密码错误。", challenge=True)
            return user, None
        token = request.cookies.get(self.cookie_name)
        if token:
            user = self._session_user(token, directory)
            if user is not None:
                return user, None
        if request.method in ("GET", "HEAD") and _wants_html(request):
            target = request.full_path if request.query_string else request.path
            return None, _redirect(f"{LOGIN_PATH}?next={quote(target, safe='/')}")
        # A browser's background request with an expired session: no Basic pop-up.
        return None, _unauthorized("需要登录。", challenge=not token)

    def _session_user(self, token: str, directory: UserDirectory) -> User | None:
        session = self.sessions.get(token)
        if session is None:
            return None
        user = directory.users.get(session.user)
        if user is None or session.tag != session_tag(user):
            self.sessions.end(token)  # user removed or password changed
            return None
        return user

    # -- authorization ---------------------------------------------------------------------
    def _authorize(self, access: Access, request: Request) -> Denial | None:
        slug, _ = split_ledger_path(request.path)
        if slug is not None and slug in self.ledgers.ledgers_by_slug:
            if not self.ledgers.is_visible(slug, access):
                return Denial(404, "没有这个账簿，或您无权查看。")
        return check_request(access, request.method, request.path)

    def _denied(self, request: Request, denial: Denial) -> Response:
        return denial_response(request, denial)

    # -- login / logout --------------------------------------------------------------------
    def _csrf_value(self, cookie: str) -> str:
        return hmac.new(self.secret, b"login-csrf:" + cookie.encode(), hashlib.sha256).hexdigest()

    def _login(self, request: Request, directory: UserDirectory | None) -> Response:
        target = _safe_next(request.values.get("next", "/") if request.method != "POST"
                            else request.args.get("next", "/"))
        if directory is None:
            return _redirect(target)
        if request.method not in ("GET", "HEAD", "POST"):
            return Response("", status=405, headers={"Allow": "GET, HEAD, POST"})
        error, name, status = "", "", 200
        csrf_cookie = request.cookies.get(self.csrf_cookie_name, "")
        if request.method == "POST":
            request.max_content_length = MAX_LOGIN_BODY_BYTES
            try:
                form = request.form
            except RequestEntityTooLarge:
                return _json_response({"error": "登录请求内容过大。"}, 413)
            target = _safe_next(form.get("next", target))
            name = form.get("username", "").strip()
            password = form.get("password", "")
            sent = form.get("csrf", "")
            if not csrf_cookie or not hmac.compare_digest(sent, self._csrf_value(csrf_cookie)):
                error, status = "登录页面已过期或来源不明，请重新打开登录页面后再试。", 400
            else:
                user, refusal = self._check_password(directory, name, password, _address(request))
                if user is not None:
                    response = _redirect(target)
                    token = self.sessions.create(user.name, session_tag(user))
                    self._set_cookie(response, request, self.cookie_name, token, SESSION_MAX_AGE, "Lax")
                    response.delete_cookie(self.csrf_cookie_name, path=LOGIN_PATH,
                                           secure=self._secure(request), httponly=True, samesite="Strict")
                    return response
                error, status = (refusal, 429) if refusal else ("用户名或密码错误，请重试。", 401)
        if not csrf_cookie or len(csrf_cookie) > 100:
            csrf_cookie = secrets.token_urlsafe(32)
        html = _TEMPLATES.get_template("login.html").render(
            error=error, username=name, next=target, csrf=self._csrf_value(csrf_cookie),
            message="您已退出登录。" if request.args.get("bye") else "",
        )
        response = Response(html, status=status, mimetype="text/html")
        self._set_cookie(response, request, self.csrf_cookie_name, csrf_cookie, 3600, "Strict", path=LOGIN_PATH)
        return response

    def _logout(self, request: Request) -> Response:
        token = request.cookies.get(self.cookie_name)
        if token:
            self.sessions.end(token)
        response = _redirect(f"{LOGIN_PATH}?bye=1")
        response.delete_cookie(self.cookie_name, path="/", secure=self._secure(request),
                               httponly=True, samesite="Lax")
        return response

    def _secure(self, request: Request) -> bool:
        return self.secure_cookies or request.is_secure

    def _set_cookie(self, response: Response, request: Request, name: str, value: str, max_age: int,
                    samesite: str, path: str = "/") -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite=samesite,
                            secure=self._secure(request), path=path)


def denial_response(request: Request, denial: Denial) -> Response:
    """A refusal in Chinese: JSON for scripts and Fava's API, a page for browsers."""
    if "/api/" in request.path or not _wants_html(request):
        return _json_response({"error": denial.message}, denial.status)
    html = _TEMPLATES.get_template("denied.html").render(status=denial.status, message=denial.message)
    return Response(html, status=denial.status, mimetype="text/html")


def _body_too_big(environ: dict[str, Any]) -> Response | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _json_response({"error": "请求头 Content-Length 无效。"}, 400)
    if length > MAX_BODY_BYTES:
        return _json_response({"error": f"请求内容超过 {MAX_BODY_BYTES // (1024 * 1024)} MB。"}, 413)
    return None


def _same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (Origin or Referer)."""
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if not referer:
            return True  # not a browser's cross-site form (scripts send neither)
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin == "null":
        return False
    return origin.rstrip("/") == f"{request.scheme}://{request.host}"


def _loopback_host(host: str) -> bool:
    """``localhost``, ``127.x.x.x`` or ``[::1]``, with or without a port."""
    if host.startswith("["):
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _address(request: Request) -> str:
    return request.remote_addr or "?"


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else ("", "")


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _safe_next(target: str) -> str:
    """Only a local path: no open redirect to another site."""
    target = target or "/"
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target)):
        return "/"
    return target


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _unauthorized(message: str, *, challenge: bool) -> Response:
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'} if challenge else {}
    return Response(json.dumps({"error": message}, ensure_ascii=False), status=401,
                    mimetype="application/json", headers=headers)


def _json_response(data: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
