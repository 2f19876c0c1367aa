"""Customer notices: quiet hours, approval, one per order and trigger, and real delivery.

The SMTP test runs a real local SMTP server (aiosmtpd) and reads what it received; the webhook
sender posts to an httpx transport that records the request.
"""

from __future__ import annotations

import email.policy
import json
from datetime import date, datetime
from email.parser import BytesParser

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from promesa.domain.deps import Deps
from promesa.domain.notices import outbox
from promesa.domain.notices.dispatch import send_due
from promesa.domain.notices.drafting import NoticeFields
from promesa.domain.notices.senders import SmtpSender, WebhookSender
from promesa.domain.orchestration.config import NoticePolicy
from promesa.errors import Conflict, Forbidden
from promesa.principal import SYSTEM, Principal, Role
from promesa.store.enums import IdentityKind, NoticeKind, NoticeStatus, TriggerKind
from promesa.store.models import Notice
from tests.domain import builders
from tests.domain.ops_world import (
    MTY,
    NOW,
    SAN_PEDRO,
    TODAY,
    add_carriers,
    add_customer,
    add_node,
    add_order,
    add_product,
    done,
)

SMTP_PORT = 18825
OPS = Principal(role=Role.ops, subject="ops-luis")
FIELDS = NoticeFields(order_id="PO-1", customer_name="Ana Torres", trigger=TriggerKind.carrier_delay,
                      promised_date=date(2026, 11, 21), new_date=date(2026, 11, 24))


@pytest.fixture
def shop(session):
    add_node(session, "CUR", SAN_PEDRO)
    add_carriers(session)
    add_product(session, "SKU-1")
    add_customer(session, "C-1", MTY)
    builders.add_identity(session, "C-1", IdentityKind.email, "ana@example.com")
    builders.add_identity(session, "C-1", IdentityKind.phone, "+52 81 1234 5678")
    add_order(session, "PO-1", "C-1", [("SKU-1", 1)], node_id="CUR", ship_by=TODAY, promised=TODAY)
    done(session)
    session.commit()
    return session


def deps(session, settings, now=NOW, principal=SYSTEM, **notices) -> Deps:
    if notices:
        settings = settings.model_copy(update={"notices": NoticePolicy(**notices)})
    return Deps(session=session, principal=principal, now=now, settings=settings)


def put(d: Deps, key: str = "PO-1:carrier_delay:2026-11-24"):
    made = outbox.enqueue(d, order_id="PO-1", customer_id="C-1", trigger_key=key, kind=NoticeKind.delay,
                          fields=FIELDS)
    d.session.commit()
    return made


def test_one_notice_per_order_trigger_and_channel(shop, settings):
    d = deps(shop, settings, channels=("email", "sms", "whatsapp"))
    made = put(d)
    assert sorted(n.channel.value for n in made) == ["email", "sms", "whatsapp"]
    assert {n.recipient for n in made} == {"ana@example.com", "+528112345678"}
    again = put(d)
    assert len(shop.scalars(select(Notice)).all()) == 3 and {n.id for n in again} == {n.id for n in made}
    put(d, key="PO-1:carrier_delay:2026-11-26")  # a new trigger (a later ETA) is a new notice
    assert len(shop.scalars(select(Notice)).all()) == 6


def test_quiet_hours_hold_a_notice_until_morning(shop, settings):
    night = datetime.fromisoformat("2026-11-20T22:30:00-06:00")
    early = datetime.fromisoformat("2026-11-21T06:00:00-06:00")
    morning = datetime(2026, 11, 21, 8, 0, tzinfo=settings.tz)
    assert outbox.after_quiet_hours(deps(shop, settings), night) == morning
    assert outbox.after_quiet_hours(deps(shop, settings), early) == morning
    assert outbox.after_quiet_hours(deps(shop, settings), NOW) == NOW
    notice = put(deps(shop, settings, now=night))[0]
    assert notice.send_after == morning

    class Recorder:
        sent: list = []

        def send(self, n):
            self.sent.append(n.id)

    sender = Recorder()
    assert send_due(deps(shop, settings, now=night), sender).sent == 0  # quiet: held
    assert send_due(deps(shop, settings, now=morning), sender).sent == 1
    assert sender.sent == [notice.id]
    assert send_due(deps(shop, settings, now=morning), sender).sent == 0  # sent once


def test_staff_approval_of_notices(shop, settings):
    notice = put(deps(shop, settings, require_approval=True))[0]
    assert notice.status is NoticeStatus.awaiting_approval
    with pytest.raises(Forbidden):
        outbox.approve(deps(shop, settings, principal=Principal(role=Role.customer, subject="C-1")), notice.id)
    approved = outbox.approve(deps(shop, settings, principal=OPS), notice.id)
    assert approved.status is NoticeStatus.scheduled
    with pytest.raises(Conflict):
        outbox.approve(deps(shop, settings, principal=OPS), notice.id)


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001 - aiosmtpd's hook
        self.messages.append(envelope)
        return "250 OK"


def test_a_sent_email_is_captured_by_a_local_smtp_server(shop, settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        put(deps(shop, settings))
        report = send_due(deps(shop, settings), SmtpSender("127.0.0.1", SMTP_PORT, "avisos@promesa.example"))
        shop.commit()
    finally:
        controller.stop()
    assert report.sent == 1
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["ana@example.com"]
    message = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
    assert message["Subject"] == "Tu pedido PO-1 llegará más tarde"
    assert message["Content-Language"] == "es"
    assert "ahora llegará el martes 24 de noviembre" in message.get_content()
    notice = shop.scalars(select(Notice)).one()
    assert notice.status is NoticeStatus.sent and notice.sent_at == NOW


def test_an_unreachable_server_is_retried_not_lost(shop, settings):
    put(deps(shop, settings))
    report = send_due(deps(shop, settings), SmtpSender("127.0.0.1", SMTP_PORT + 1, "x@example.com", timeout=2))
    shop.commit()
    assert report.retrying == 1 and report.sent == 0
    notice = shop.scalars(select(Notice)).one()
    assert notice.status is NoticeStatus.scheduled and notice.attempts == 1 and notice.last_error


def test_webhook_sender_posts_the_template_fields(shop, settings):
    seen = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(202)

    put(deps(shop, settings, channels=("whatsapp",)))
    client = httpx.Client(transport=httpx.MockTransport(gateway))
    report = send_due(deps(shop, settings), WebhookSender("http://gateway.invalid/notices", client))
    assert report.sent == 1
    assert seen[0]["channel"] == "whatsapp" and seen[0]["to"] == "+528112345678"
    assert seen[0]["template"] == "promesa_delay_es" and seen[0]["fields"]["new_date"] == "2026-11-24"


def test_customer_sees_their_notices_and_no_one_elses(shop, settings):
    put(deps(shop, settings, channels=("email", "sms")))
    mine = outbox.customer_notices(deps(shop, settings, principal=Principal(role=Role.customer, subject="C-1")), "C-1")
    assert len(mine) == 1 and mine[0].order_id == "PO-1"
    with pytest.raises(Forbidden):
        outbox.customer_notices(deps(shop, settings, principal=Principal(role=Role.customer, subject="C-2")), "C-1")
