"""The dashboard's web application (aiohttp): sign-in, pages, CSV export.

Every page but the sign-in needs the session cookie (HttpOnly, SameSite=Strict,
expiring with the session; Secure behind https). Every form is a POST carrying the
session's CSRF token. Templates autoescape; the only markup passed as is is the SVG
the chart functions draw (their labels escaped). Responses forbid framing, scripts,
caching and the Referer header (a sign-in link never leaks to another site).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bot.dashboard.views import appeal_row, appeals_csv, local
from bot.domain.models import AppealStatus, AppealType
from bot.domain.signin import Grant, Role, TokenRefused
from bot.rendering.charts import csat_chart, first_response_chart
from bot.rendering.operators import format_duration
from bot.services.dashboard import EXPORT_LIMIT, DashboardAccess, DashboardService, SearchForm
from bot.texts import common as common_texts
from bot.texts import dashboard as t

logger = logging.getLogger(__name__)

SESSION_COOKIE = "dashboard_session"
SERVICE = web.AppKey("dashboard_service", DashboardService)
ACCESS = web.AppKey("dashboard_access", DashboardAccess)
TEMPLATES = web.AppKey("dashboard_templates", Environment)
SECURE = web.AppKey("dashboard_secure_cookies", bool)
_STYLE = web.AppKey("dashboard_style", str)
_NUMBER_LIMIT = 32
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        error.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def create_app(
    service: DashboardService, access: DashboardAccess, *, secure_cookies: bool = False
) -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app[SERVICE] = service
    app[ACCESS] = access
    app[SECURE] = secure_cookies
    app[TEMPLATES] = Environment(
        loader=PackageLoader("bot.dashboard", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app[_STYLE] = (resources.files("bot.dashboard") / "static" / "dashboard.css").read_text("utf-8")
    app.router.add_get("/", overview)
    app.router.add_get("/signin", confirm_sign_in)
    app.router.add_post("/signin", sign_in)
    app.router.add_post("/signout", sign_out)
    app.router.add_get("/search", search_page)
    app.router.add_post("/search", search)
    app.router.add_post("/export", export)
    app.router.add_get("/audit", audit)
    app.router.add_get("/static/dashboard.css", style)
    return app


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    session: Grant | None = context.get("session")
    if session is not None:
        context.setdefault("csrf", request.app[ACCESS].csrf(session))
        context.setdefault("role_name", t.ROLE_NAMES[session.role])
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def current_session(request: web.Request) -> Grant | None:
    return request.app[ACCESS].session(request.cookies.get(SESSION_COOKIE))


def refused(request: web.Request, message: str, status: int = 401) -> web.Response:
    return page(request, "message.html", status=status, message=message)


async def style(request: web.Request) -> web.Response:
    return web.Response(text=request.app[_STYLE], content_type="text/css", charset="utf-8")


async def confirm_sign_in(request: web.Request) -> web.Response:
    """The link's page: a button that signs in. Opening the link uses nothing up, so a
    messenger or a mail scanner fetching it cannot spend the one-time link."""
    token = request.query.get("token", "")
    try:
        request.app[ACCESS].check_link(token)
    except TokenRefused as refusal:
        logger.info("Dashboard sign-in link refused: %s", refusal.reason)
        return refused(request, t.LINK_REFUSED[refusal.reason], status=403)
    return page(request, "signin.html", token=token)


async def sign_in(request: web.Request) -> web.Response:
    access = request.app[ACCESS]
    form = await request.post()
    token = form.get("token")
    try:
        session = await access.sign_in(token if isinstance(token, str) else "")
    except TokenRefused as refusal:
        logger.info("Dashboard sign-in refused: %s", refusal.reason)
        return refused(request, t.LINK_REFUSED[refusal.reason], status=403)
    logger.info("Dashboard sign-in: user %s as %s", session.user_id, session.role)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        SESSION_COOKIE,
        access.cookie(session),
        max_age=int(access.session_lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.app[SECURE],
    )
    raise response


async def checked_form(request: web.Request) -> tuple[Grant, Any] | web.Response:
    """The session and the posted form, or the refusal page (no session, bad CSRF token)."""
    session = current_session(request)
    if session is None:
        return refused(request, t.SIGNED_OUT)
    form = await request.post()
    token = form.get("csrf")
    if not isinstance(token, str) or not request.app[ACCESS].csrf_ok(session, token):
        return refused(request, t.FORM_EXPIRED, status=403)
    return session, form


async def sign_out(request: web.Request) -> web.Response:
    checked = await checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    response = page(request, "message.html", message=t.SIGNED_OFF)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def overview(request: web.Request) -> web.Response:
    session = current_session(request)
    if session is None:
        return refused(request, t.SIGNED_OUT)
    service = request.app[SERVICE]
    found = await service.overview()
    zone = service.zone
    return page(
        request,
        "overview.html",
        session=session,
        now=local(found.now, zone),
        queue=found.queue,
        statuses=[status for status in AppealStatus if status != AppealStatus.CLOSED],
        types=list(AppealType),
        status_names=common_texts.STATUS_NAMES,
        type_names=common_texts.APPEAL_TYPE_NAMES,
        ages=list(zip(t.AGE_NAMES, found.queue.by_age, strict=True)),
        oldest=(appeal_row(found.queue.oldest, found.now, zone) if found.queue.oldest else None),
        deadlines=[
            {
                "row": appeal_row(item.appeal, found.now, zone),
                "deadlines": [
                    {
                        "name": t.DEADLINE_NAMES[deadline.kind],
                        "state": t.DEADLINE_STATES.get(deadline.state, ""),
                        "due": local(deadline.due, zone),
                        "left": format_duration(deadline.left) if deadline.left else "",
                        "overdue": format_duration(deadline.overdue) if deadline.overdue else "",
                    }
                    for deadline in item.deadlines
                    if deadline.state.value in t.DEADLINE_STATES
                ],
            }
            for item in found.deadlines
        ],
        load=found.load,
        unassigned=found.unassigned,
        days=[
            {
                "day": day.day.strftime("%d.%m"),
                "answered": day.answered,
                "median": (
                    format_duration(day.median_first_response)
                    if day.median_first_response is not None
                    else "—"
                ),
                "ratings": day.ratings,
                "csat": "—" if day.csat is None else f"{day.csat:.0f} %",
            }
            for day in found.days
        ],
        # The chart functions escape every label themselves.
        first_response_chart=Markup(first_response_chart(found.days)),
        csat_chart=Markup(csat_chart(found.days)),
    )


def _choice(value: object, kind: type[AppealStatus] | type[AppealType]) -> Any:
    if not isinstance(value, str) or not value:
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def search_form(form: Any) -> SearchForm:
    number = form.get("number")
    return SearchForm(
        number=number[:_NUMBER_LIMIT] if isinstance(number, str) else "",
        status=_choice(form.get("status"), AppealStatus),
        type=_choice(form.get("type"), AppealType),
        date_from=_day(form.get("date_from")),
        date_to=_day(form.get("date_to")),
    )


def describe(form: SearchForm) -> str:
    """The criteria for the audit log (an appeal number is not personal data)."""
    return (
        f"number={form.number}; status={form.status or ''}; type={form.type or ''};"
        f" from={form.date_from or ''}; to={form.date_to or ''}"
    )


def search_context(form: SearchForm) -> dict[str, Any]:
    return {
        "form": form,
        "statuses": list(AppealStatus),
        "types": list(AppealType),
        "status_names": common_texts.STATUS_NAMES,
        "type_names": common_texts.APPEAL_TYPE_NAMES,
    }


async def search_page(request: web.Request) -> web.Response:
    session = current_session(request)
    if session is None:
        return refused(request, t.SIGNED_OUT)
    return page(request, "search.html", session=session, rows=None, **search_context(SearchForm()))


async def search(request: web.Request) -> web.Response:
    checked = await checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    session, posted = checked
    form = search_form(posted)
    service = request.app[SERVICE]
    found = await service.search(form)
    now = service.now()
    return page(
        request,
        "search.html",
        session=session,
        rows=[appeal_row(appeal, now, service.zone) for appeal in found],
        **search_context(form),
    )


async def export(request: web.Request) -> web.Response:
    checked = await checked_form(request)
    if isinstance(checked, web.Response):
        return checked
    session, posted = checked
    form = search_form(posted)
    service = request.app[SERVICE]
    found = await service.search(form, limit=EXPORT_LIMIT)
    now = service.now()
    await request.app[ACCESS].exported(session, describe(form), len(found))
    logger.info("Dashboard export: user %s, %s appeals", session.user_id, len(found))
    name = t.CSV_FILE_NAME.format(stamp=now.astimezone(service.zone).strftime("%Y%m%d-%H%M"))
    return web.Response(
        # With a byte order mark, spreadsheets read the Cyrillic as UTF-8.
        body=("\ufeff" + appeals_csv(found, now, service.zone)).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def audit(request: web.Request) -> web.Response:
    session = current_session(request)
    if session is None:
        return refused(request, t.SIGNED_OUT)
    if session.role != Role.SUPERVISOR:
        return page(
            request, "message.html", status=403, session=session, message=t.SUPERVISORS_ONLY
        )
    service = request.app[SERVICE]
    entries = await request.app[ACCESS].audit_log()
    return page(
        request,
        "audit.html",
        session=session,
        entries=[
            {
                "at": local(entry.at, service.zone),
                "user_id": entry.user_id,
                "role": t.ROLE_NAMES[entry.role],
                "action": entry.action.value,
                "detail": entry.detail,
            }
            for entry in entries
        ],
    )
