"""The three web surfaces and the demo shop, served by the API app with no build step.

Pages are static HTML plus vanilla JavaScript under ``api/static``; everything they load is
served from here (Chart.js is vendored), nothing from the internet.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from sqlalchemy import select

from api.auth import issue_token
from api.deps import RuntimeDep
from api.errors import ApiError
from api.modes import demo_enabled
from api.storefront import address_of, products
from knowledge.documents import PolicyDocument, load_library
from promesa.principal import Principal, Role
from promesa.store.models import Customer
from promesa.world.stories import DEMO_CUSTOMERS

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
STATIC = ROOT / "static"
templates = Jinja2Templates(directory=str(PAGES))

router = APIRouter(include_in_schema=False)
static_files = StaticFiles(directory=str(STATIC))



def _page(name: str) -> FileResponse:
    return FileResponse(PAGES / name, media_type="text/html")


@router.get("/")
def index() -> RedirectResponse:
    """The root goes to the storefront."""
    return RedirectResponse("/shop")


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site icon."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


@router.get("/widget")
def widget_page() -> FileResponse:
    """The chat widget page."""
    return _page("widget.html")


@router.get("/widget.js")
def widget_script() -> FileResponse:
    """The embeddable widget script."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript")


@router.get("/copilot")
def copilot_page() -> FileResponse:
    """The support copilot page."""
    return _page("copilot.html")


@router.get("/ops")
def ops_page() -> FileResponse:
    """The ops console page."""
    return _page("ops.html")


@router.get("/shop", response_class=HTMLResponse)
def demo_shop(request: Request, runtime: RuntimeDep, customer: str = "", lang: str = "") -> HTMLResponse:
    """A demo storefront embedding the widget; signing in mints the shop's token server-side.

    Demo only (``PROMESA_ENVIRONMENT=demo``, loopback): a real shop mints the token in its own
    backend for its signed-in user. Story customers only, for ``visitor_token_ttl_minutes``.
    """
    if not demo_enabled(runtime.settings):
        raise ApiError(404, "not_found", "the demo shop exists in demo mode only")
    assert runtime.sessions is not None
    with runtime.sessions() as session:
        rows = session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(DEMO_CUSTOMERS)).order_by(Customer.id)
        ).all()
        known = {row.id for row in rows}
        shown = products(session)
        address = address_of(session, customer) if customer in known else None
    token = ""
    if customer in known:
        principal = Principal(role=Role.customer, subject=customer)
        token = issue_token(runtime.secret, principal,
                            timedelta(minutes=runtime.settings.visitor_token_ttl_minutes))
    return templates.TemplateResponse(
        request,
        "shop.html",
        {
            "customers": [{"id": r.id, "name": r.name} for r in rows],
            "customer": customer if token else "",
            # the widget greets a signed-in shopper by first name
            "first_name": next((r.name.split()[0] for r in rows if r.id == customer and token), ""),
            "token": token,
            "lang": lang if lang in ("en", "es") else "",
            "base": str(request.base_url).rstrip("/"),
            "products": shown,
            "address": address,
        },
    )


#: Markdown to HTML with raw HTML disabled: policy text is data, never markup to trust.
_markdown = MarkdownIt("commonmark", {"html": False})


@lru_cache(maxsize=1)
def _public_policies() -> dict[tuple[str, str], PolicyDocument]:
    """Customer-audience documents by (id, locale); internal ones are never served here."""
    return {(d.id, d.locale): d for d in load_library() if d.audience == "customer"}


@router.get("/policies/{doc_id}", response_class=HTMLResponse)
def policy_page(request: Request, doc_id: str, lang: str = "") -> HTMLResponse:
    """A customer-facing policy, the target of the widget's citation links (``doc-id#section``)."""
    documents = _public_policies()
    locales = sorted(locale for (did, locale) in documents if did == doc_id)
    if not locales:
        raise ApiError(404, "not_found", f"no public policy {doc_id!r}")
    locale = lang if lang in locales else ("es" if "es" in locales else locales[0])
    doc = documents[(doc_id, locale)]
    sections = [
        {"anchor": s.anchor, "title": s.title, "html": _markdown.render(s.text)} for s in doc.sections
    ]
    others = [other for other in locales if other != locale]
    return templates.TemplateResponse(
        request, "policy.html", {"doc": doc, "sections": sections, "others": others}
    )
