"""The mails, written whole into the outbox: German, text and HTML, absolute links.

Every mail carries fresh tokens for its links (their digests stored with the
mail's row, in the same transaction) and the headers of RFC 2369 and 8058,
so that a mail program can offer one-click unsubscribe.
"""

from __future__ import annotations

import uuid
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ratsblick import config
from ratsblick.alerts import tokens
from ratsblick.alerts.models import Mail, Subscriber, Subscription, Token
from ratsblick.reader.alerts import News

SUBJECT_LIMIT = 160


def absolute(path: str) -> str:
    return config.BASE_URL.get().rstrip("/") + path


def _message_id() -> str:
    domain = urlsplit(config.BASE_URL.get()).hostname or "localhost"
    return make_msgid(idstring=uuid.uuid4().hex, domain=domain)


def _queue(
    recipient: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    unsubscribe_url: str | None = None,
) -> Mail:
    message = EmailMessage(policy=policy.SMTP)
    message_id = _message_id()
    # Council names break lines; a header may not. Long names are cut.
    subject = " ".join(subject.split())
    subject = subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"
    message["Subject"] = subject
    message["From"] = config.MAIL_FROM.get()
    message["To"] = recipient
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {**context, "site": config.BASE_URL.get().rstrip("/")}
    # Quoted-printable: every line within SMTP's 998 characters, whatever the text.
    text = render_to_string(f"alerts/mail/{template}.txt", context)
    message.set_content(text, cte="quoted-printable")
    html = render_to_string(f"alerts/mail/{template}.html", context)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return Mail.objects.create(
        message_id=message_id,
        recipient=recipient,
        subject=subject,
        message=message.as_bytes().decode("ascii"),
        created_at=timezone.now(),
    )


def _links(subscriber: Subscriber, subscription: Subscription | None) -> dict[str, str]:
    """The manage link of the address and, for a subscription's mail, its unsubscribe link."""
    token = tokens.issue(subscriber, Token.Purpose.MANAGE)
    links = {"manage_url": absolute(reverse("alerts:manage", args=[token]))}
    if subscription is not None:
        path = reverse("alerts:unsubscribe", args=[token, subscription.pk])
        links["unsubscribe_url"] = absolute(path)
    return links


def confirmation(subscription: Subscription, target_url: str) -> Mail:
    token = tokens.issue(subscription.subscriber, Token.Purpose.CONFIRM, subscription)
    return _queue(
        subscription.subscriber.email,
        f"Bitte bestätigen: Benachrichtigung zu {subscription.label}",
        "confirm",
        {
            "subscription": subscription,
            "target_url": absolute(target_url),
            "confirm_url": absolute(reverse("alerts:confirm", args=[token])),
            "days": tokens.CONFIRM_DAYS,
        },
    )


def manage_link(subscriber: Subscriber) -> Mail:
    return _queue(
        subscriber.email,
        "Ihre Benachrichtigungen bei Ratsblick",
        "manage",
        _links(subscriber, None),
    )


def digest(subscription: Subscription, target_url: str, news: list[News]) -> Mail:
    links = _links(subscription.subscriber, subscription)
    count = len(news)
    subject = f"{count} {'Neuigkeit' if count == 1 else 'Neuigkeiten'} zu {subscription.label}"
    items = [
        {
            "news": item,
            "url": absolute(item.path),
            "changes_url": absolute(item.changes_path) if item.changes_path else "",
        }
        for item in news
    ]
    return _queue(
        subscription.subscriber.email,
        subject,
        "digest",
        {
            "subscription": subscription,
            "target_url": absolute(target_url),
            "items": items,
            **links,
        },
        unsubscribe_url=links["unsubscribe_url"],
    )
