"""The orchestrator as people see it (issue #18): the ops console lists what it did (with the
rule that allowed it) and what waits for approval; approving a pickup offers it to the customer,
whose open widget shows the notice live, in their language, and whose "yes" converts the order;
"where is my order?" then continues from the notice.

Its own server (a fresh demo world): an orchestration pass changes orders the shared server's
tests rely on.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.conftest import DESKTOP, NOW, PHONE, Live, _free_port, assert_accessible, assert_readable

ORDER, CUSTOMER = "PO-5008", "C-1008"  # not shipped yet: a store nearby can hold it in time


@pytest.fixture(scope="module")
def orchestrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn

    from api.main import create_app
    from knowledge.indexer import build_index
    from promesa.domain.deps import Deps
    from promesa.domain.fulfillment.proposals import propose_reroute
    from promesa.domain.orchestration import run
    from promesa.principal import Principal, Role
    from promesa.settings import Settings
    from promesa.store.db import make_engine, migrate
    from promesa.store.enums import OrchestrationDecision, TriggerKind
    from promesa.store.models import OrchestrationAction
    from promesa.world.demo import build_demo_world

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("orchestrated"),  # type: ignore[call-arg]
                        now=datetime.fromisoformat(NOW), environment="demo", turns_per_minute=1000)
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_demo_world(engine, now=settings.now, orders=400, seed=settings.seed)
    ops = Principal(role=Role.ops, subject="ops-demo")
    with Session(engine) as session:
        deps = Deps(session=session, principal=ops, now=settings.now, settings=settings)
        run.orchestrate(deps)  # the pass over the demo world: what it did automatically
        # a pickup queued for staff, as the approval queue held them before pickups became offers
        proposal = propose_reroute(deps, ORDER)
        pickup = next(o for o in proposal.options if o.kind == "pickup" and o.meets_promise)
        session.add(OrchestrationAction(
            key=f"{ORDER}:capacity_drop:web", order_id=ORDER, trigger=TriggerKind.capacity_drop, trigger_ref="web",
            detected_at=settings.now, decision=OrchestrationDecision.awaiting_approval, option_id=pickup.option_id,
            detail="only a pickup keeps the promise", proposal=proposal.model_dump(mode="json")))
        session.commit()
    engine.dispose()
    build_index(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=_free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{server.config.port}", settings)
    server.should_exit = True
    thread.join(timeout=10)


def _widget(page, url: str):
    page.goto(url)
    page.get_by_test_id("promesa-bubble").click()
    return page.frame_locator("[data-testid=promesa-frame]")


def _widget_frame(page):
    return next(f for f in page.frames if "/widget" in f.url)


def _decision(live: Live) -> str:
    from promesa.store.db import make_engine
    from promesa.store.models import OrchestrationAction

    engine = make_engine(live.settings.sqlalchemy_url)
    with Session(engine) as session:
        decision = session.scalar(select(OrchestrationAction.decision).where(OrchestrationAction.order_id == ORDER,
                                                                             OrchestrationAction.trigger_ref == "web"))
    engine.dispose()
    return decision.value


def test_ops_approves_a_pickup_the_customer_sees_it_live_and_accepts(orchestrated, page_factory):
    # the shopper's widget is open (Spanish, on a phone) before anyone decides
    shop = page_factory(locale="es-MX", viewport=PHONE, has_touch=True, is_mobile=True)
    widget = _widget(shop, f"{orchestrated.url}/shop?customer={CUSTOMER}")
    expect(widget.get_by_test_id("msg-agent").first).to_contain_text("Sofía")
    expect(widget.get_by_test_id("msg-notice")).to_have_count(0)

    ops = page_factory(viewport=DESKTOP)
    ops.goto(f"{orchestrated.url}/ops")
    ops.get_by_test_id("demo-signin").click()
    panel = ops.get_by_test_id("orchestration")
    expect(panel).to_contain_text("Orchestrator · keeping promises")
    done = panel.get_by_test_id("orchestration-action").filter(has_text="Done automatically").first
    expect(done).to_contain_text("Autonomy policy: keeps the promise, within the extra-cost limit, "
                                 "changes nothing the customer sees")
    expect(done).to_contain_text(re.compile(r"Ship from .+ \(.+\)|Faster service from .+ \(.+\)"))  # store names
    expect(done.get_by_test_id("orchestration-revert")).to_be_visible()
    row = panel.get_by_test_id("orchestration-pending-row").filter(has_text=ORDER)
    expect(row).to_contain_text(re.compile(r"Pickup at Tienda .+ \(.+\)"))
    expect(row).to_contain_text(re.compile(r"Arrives \w{3} \d+ \w{3} \(promised \w{3} \d+ \w{3}\)"))
    assert_readable(panel.inner_text(), allow=("auto_reroute",))
    assert "auto_reroute" not in panel.inner_text() and not re.search(r"\d{4}-\d{2}-\d{2}", panel.inner_text())
    assert_accessible(ops, "ops console with the orchestrator panel")
    page_factory.shot(ops, "ops-orchestration-desktop", full=True)

    row.get_by_test_id("orchestration-approve").click()
    expect(panel.get_by_test_id("orchestration-result")).to_contain_text(
        f"{ORDER}: the pickup was offered to the customer; it changes once they accept.")
    expect(panel.get_by_test_id("orchestration-action").filter(has_text=ORDER).first).to_contain_text(
        "Offered to the customer")
    assert _decision(orchestrated) == "awaiting_customer"  # staff's approval is not the customer's consent

    # the notice reaches the open widget without a reload, in Spanish, with the offer's button
    notice = widget.get_by_test_id("msg-notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"Aviso sobre tu pedido {ORDER}")
    accept = notice.get_by_test_id("notice-accept")
    expect(accept).to_contain_text(re.compile(r"Recogerlo en Tienda .+ el \S+ \d+ de \S+"))
    assert_readable(widget.get_by_test_id("messages").inner_text(), lang="es")
    assert_accessible(_widget_frame(shop), "widget with a pickup offer")
    page_factory.shot(shop, "widget-notice-offer-phone-es", full=False)

    # the same notice in English on a desktop, drafted in the conversation's language
    desk = page_factory(locale="en-US", viewport=DESKTOP)
    english = _widget(desk, f"{orchestrated.url}/shop?customer={CUSTOMER}&lang=en")
    en_notice = english.get_by_test_id("msg-notice")
    expect(en_notice).to_contain_text(f"Notice about your order {ORDER}")
    expect(en_notice).to_contain_text("If you prefer, it can be ready for pickup at Tienda")
    expect(en_notice.get_by_test_id("notice-accept")).to_contain_text(re.compile(r"Pick it up at Tienda .+ on \w+, \w+ \d+"))
    assert_readable(english.get_by_test_id("messages").inner_text())
    assert_accessible(_widget_frame(desk), "English widget with a pickup offer")
    page_factory.shot(desk, "widget-notice-offer-desktop-en", full=False)

    # "where is my order?" continues from the notice
    widget.get_by_test_id("chat-input").fill(f"¿Dónde está mi pedido {ORDER}?")
    widget.get_by_test_id("chat-send").click()
    answer = widget.get_by_test_id("msg-agent").last
    expect(answer).to_contain_text("aún puedes recogerlo en Tienda")
    expect(answer).to_contain_text("usa el botón de ese mensaje")

    accept.click()
    status = notice.get_by_test_id("notice-status")
    expect(status).to_contain_text(re.compile(r"Listo: tu pedido estará listo para recoger en Tienda .+ el \S+ \d+ de \S+\."))
    expect(notice.get_by_test_id("notice-accept")).to_have_count(0)
    assert_readable(widget.get_by_test_id("messages").inner_text(), lang="es")
    page_factory.shot(shop, "widget-notice-accepted-phone-es", full=False)
    assert _decision(orchestrated) == "accepted"

    panel.get_by_test_id("orchestration-refresh").click()
    expect(panel.get_by_test_id("orchestration-action").filter(has_text=ORDER).first).to_contain_text(
        "Accepted by the customer")
    expect(panel.get_by_test_id("orchestration-action").filter(has_text=ORDER).first).to_contain_text("Customer C-1008")


def test_the_storefront_promises_places_and_the_widget_knows_the_order(orchestrated, page_factory):
    """Carlos (Monterrey, 64000) buys two products: each shows its promise, the cart its plan, and
    the placed order is the widget's to answer about."""
    shop = page_factory(locale="es-MX", viewport=DESKTOP)
    shop.goto(f"{orchestrated.url}/shop?customer=C-1001")
    front = shop.get_by_test_id("storefront")
    products = front.get_by_test_id("product")
    expect(products.first.get_by_test_id("promise-ship")).to_contain_text(re.compile(r"Llega el \S+ \d+ de \S+"))
    expect(products.first.get_by_test_id("promise-pickup")).to_contain_text(re.compile(r"Recoge en .+ el \S+ \d+ de \S+"))
    products.nth(0).get_by_test_id("product-add").click()
    products.nth(1).get_by_test_id("product-add").click()
    expect(front.get_by_test_id("cart-line")).to_have_count(2)
    front.get_by_test_id("checkout-plan").click()
    expect(front.get_by_test_id("plan-latest")).to_contain_text(re.compile(r"Todo llega a más tardar el \S+ \d+ de \S+\."))
    expect(front.get_by_test_id("plan-shipment").first).to_contain_text(re.compile(r"Sale de .+, llega el"))
    assert_readable(front.inner_text(), lang="es")
    assert_accessible(shop, "storefront with a cart plan")
    page_factory.shot(shop, "shop-cart-plan-desktop-es", full=True)

    front.get_by_test_id("checkout-place").click()
    placed = front.get_by_test_id("checkout-placed")
    expect(placed).to_contain_text(re.compile(r"Pedido PO-\d+ confirmado: llega a más tardar el"))
    order_id = re.search(r"PO-\d+", placed.inner_text()).group(0)
    expect(front.get_by_test_id("cart-line")).to_have_count(0)

    shop.get_by_test_id("promesa-bubble").click()
    widget = shop.frame_locator("[data-testid=promesa-frame]")
    widget.get_by_test_id("chat-input").fill(f"¿Dónde está mi pedido {order_id}?")
    widget.get_by_test_id("chat-send").click()
    expect(widget.get_by_test_id("msg-agent").last).to_contain_text(f"El pedido {order_id} está")
    expect(widget.get_by_test_id("card-order-status").last).to_contain_text(order_id)
    assert_readable(widget.get_by_test_id("messages").inner_text(), lang="es")
    page_factory.shot(shop, "shop-order-in-widget-desktop-es", full=False)


def _move_to_zacatecas(live: Live, customer: str) -> None:
    """The customer's address becomes one in Zacatecas (98000): a real code no city of ours covers."""
    from promesa.store.db import make_engine
    from promesa.store.models import Address

    engine = make_engine(live.settings.sqlalchemy_url)
    with Session(engine) as session:
        address = session.scalars(select(Address).where(Address.customer_id == customer).order_by(Address.id)).first()
        address.city, address.state, address.postal_code = "Zacatecas", "Zacatecas", "98000"
        session.commit()
    engine.dispose()


def test_a_postal_code_promising_does_not_serve_is_said_not_asked(orchestrated, page_factory):
    # Polanco (11560, Mexico City's prefix 11) is served: Sofía's storefront shows dates
    served = page_factory(viewport=PHONE)
    served.goto(f"{orchestrated.url}/shop?customer={CUSTOMER}&lang=en")
    expect(served.get_by_test_id("storefront")).to_contain_text("(11560)")
    expect(served.get_by_test_id("not-served")).to_have_count(0)
    expect(served.get_by_test_id("promise-ship").first).to_contain_text(re.compile(r"Arrives \w+"))
    # Juan Pérez Garza (C-1006, no other test here) moves to Zacatecas, where no zone is
    _move_to_zacatecas(orchestrated, "C-1006")
    shop = page_factory(viewport=PHONE)
    shop.goto(f"{orchestrated.url}/shop?customer=C-1006&lang=en")
    front = shop.get_by_test_id("storefront")
    expect(front.get_by_test_id("not-served")).to_contain_text("We don't deliver to postal code 98000.")
    expect(front.get_by_test_id("product-promise").first).to_have_text("No dates for this postal code")
    expect(front.get_by_test_id("checkout-plan")).to_be_disabled()
    assert_readable(front.inner_text())
    assert_accessible(shop, "storefront on a phone, postal code not served")
