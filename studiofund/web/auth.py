"""The login middleware in front of Fava: who is asking, and may they ask this.

Scripts use HTTP Basic (``curl -u name:password``); browsers get a Chinese login page at
``/login`` and a signed session cookie (``/logout`` ends it). After authentication the
request's :class:`~studiofund.web.scope.Access` goes into the WSGI environ for Fava's scoped
ledger registry, the role rules of :mod:`.rules` are applied, and a ledger outside the user's
scope answers 404 as if it did not exist.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import jinja2
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Request, Response

from .rules import Denial, check_request, split_ledger_path
from .scope import ACCESS_KEY, Access
from .users import User, UserDirectory, UsersFileError, load_users

if TYPE_CHECKING:  # pragma: no cover
    from .scope import ScopedLedgers

COOKIE_NAME = "studiofund_session"
SESSION_MAX_AGE = 8 * 3600
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
REALM = "studiofund"

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)


@dataclass
class UsersSource:
    """The users file, re-read when it changes (``user add`` while the server runs)."""

    path: Path | None
    directory: UserDirectory | None = None
    _mtime: float = field(default=-1.0, repr=False)

    def current(self) -> UserDirectory | None:
        if self.path is None:
            return None
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return self.directory  # keep the last good version
        if mtime != self._mtime:
            try:
                self.directory = load_users(self.path)
                self._mtime = mtime
            except UsersFileError:
                if self.directory is None:
                    raise
        return self.directory


def _session_tag(user: User) -> str:
    """A short fingerprint of the password hash: changing the password ends old sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class AuthMiddleware:
    """WSGI middleware: authentication, role rules and ledger scope in front of Fava."""

    def __init__(self, app: Any, ledgers: ScopedLedgers, users: UsersSource,
                 secret: bytes | None = None) -> None:
        self.app = app
        self.ledgers = ledgers
        self.users = users
        self.serializer = URLSafeTimedSerializer(secret or secrets.token_bytes(32), salt="studiofund-login")

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any):
        request = Request(environ)
        directory = self.users.current()
        path = request.path
        if path == LOGIN_PATH:
            return self._login(request, directory)(environ, start_response)
        if path == LOGOUT_PATH:
            return self._logout(request)(environ, start_response)
        if directory is None:
            access = Access(None)
        else:
            user, challenge = self._authenticate(request, directory)
            if user is None:
                return challenge(environ, start_response)
            access = Access(user)
        denial = self._authorize(access, request)
        if denial is not None:
            return self._denied(request, denial)(environ, start_response)
        environ[ACCESS_KEY] = access
        return self.app(environ, start_response)

    # -- authentication --------------------------------------------------------------------
    def _authenticate(self, request: Request, directory: UserDirectory) -> tuple[User | None, Any]:
        auth = request.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            name, password = _basic_credentials(auth[6:])
            user = directory.authenticate(name, password) if name else None
            if user is None:
                return None, _unauthorized("用户名或密码错误。", challenge=True)
            return user, None
        token = request.cookies.get(COOKIE_NAME)
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
        try:
            payload = self.serializer.loads(token, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        user = directory.users.get(str(payload.get("u", "")))
        if user is None or payload.get("t") != _session_tag(user):
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
        if "/api/" in request.path or not _wants_html(request):
            return Response(
                _json({"error": denial.message}), status=denial.status, mimetype="application/json"
            )
        html = _TEMPLATES.get_template("denied.html").render(status=denial.status, message=denial.message)
        return Response(html, status=denial.status, mimetype="text/html")

    # -- login / logout --------------------------------------------------------------------
    def _login(self, request: Request, directory: UserDirectory | None) -> Response:
        target = _safe_next(request.values.get("next", "/"))
        if directory is None:
            return _redirect(target)
        error = ""
        name = ""
        if request.method == "POST":
            name = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            user = directory.authenticate(name, password) if name and password else None
            if user is not None:
                response = _redirect(target)
                token = self.serializer.dumps({"u": user.name, "t": _session_tag(user), "i": int(time.time())})
                response.set_cookie(
                    COOKIE_NAME, token, max_age=SESSION_MAX_AGE, httponly=True, samesite="Lax",
                    secure=request.is_secure, path="/",
                )
                return response
            error = "用户名或密码错误，请重试。"
        elif request.method not in ("GET", "HEAD"):
            return Response("", status=405)
        html = _TEMPLATES.get_template("login.html").render(
            error=error, username=name, next=target,
            message="您已退出登录。" if request.args.get("bye") else "",
        )
        return Response(html, status=401 if error else 200, mimetype="text/html")

    def _logout(self, request: Request) -> Response:
        response = _redirect(f"{LOGIN_PATH}?bye=1")
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="Lax")
        return response


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
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _unauthorized(message: str, *, challenge: bool) -> Response:
    headers = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'} if challenge else {}
    return Response(_json({"error": message}), status=401, mimetype="application/json", headers=headers)


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)
