"""Pluggable senders: how a due notice leaves (SMTP for email, a webhook for SMS/WhatsApp).

A sender raises :class:`SendError` on failure; the dispatcher records it and tries again on the
next run. Network code lives here only; nothing below calls the network in tests except against
local servers.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

import httpx

from promesa.config_models import NoticePolicy
from promesa.store.enums import NoticeChannel
from promesa.store.models import Notice


class SendError(Exception):
    pass


class Sender(Protocol):
    def send(self, notice: Notice) -> None: ...


class SmtpSender:
    """Email over SMTP (no auth: a local relay or a test server such as aiosmtpd)."""

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, notice: Notice) -> None:
        if notice.channel is not NoticeChannel.email:
            raise SendError(f"SMTP sends email, not {notice.channel.value}")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, notice.recipient, notice.subject
        message.set_content(notice.body)
        message["Content-Language"] = notice.language  # after set_content, which resets Content-*
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class WebhookSender:
    """POSTs each notice as JSON to a gateway (SMS, WhatsApp template, or anything else)."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self.url = url
        self.client = client or httpx.Client(timeout=10.0)

    def send(self, notice: Notice) -> None:
        payload = {"id": notice.id, "channel": notice.channel.value, "to": notice.recipient,
                   "language": notice.language, "subject": notice.subject, "body": notice.body,
                   "template": f"promesa_{notice.kind.value}_{notice.language}", "fields": notice.fields}
        try:
            response = self.client.post(self.url, json=payload)
        except httpx.HTTPError as exc:
            raise SendError(f"webhook: {exc}") from exc
        if response.status_code >= 300:
            raise SendError(f"webhook answered {response.status_code}")


class SenderByChannel:
    """Email by SMTP, the other channels by webhook (each when configured)."""

    def __init__(self, email: Sender | None, others: Sender | None) -> None:
        self.email, self.others = email, others

    def send(self, notice: Notice) -> None:
        chosen = self.email if notice.channel is NoticeChannel.email else self.others
        if chosen is None:
            raise SendError(f"no sender configured for {notice.channel.value}")
        chosen.send(notice)


def sender_from(policy: NoticePolicy) -> Sender | None:
    """The sender the settings name (None: notices stay in the outbox)."""
    if policy.sender == "smtp":
        webhook = WebhookSender(policy.webhook_url) if policy.webhook_url else None
        return SenderByChannel(SmtpSender(policy.smtp_host, policy.smtp_port, policy.smtp_from), webhook)
    if policy.sender == "webhook" and policy.webhook_url:
        return WebhookSender(policy.webhook_url)
    return None
