"""The alert pages: subscribe (a search or an object), confirm, manage, unsubscribe.

Every answer about an address is the same whether it is known or not, and
every link that acts carries a token; the pages that change something do it
by POST only (a mail scanner following a link changes nothing), except the
RFC 8058 one-click POST, which comes from a mail program without our form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ratsblick.alerts import limits, mailbox, subscriptions
from ratsblick.alerts.forms import AddressForm, SubscribeForm
from ratsblick.alerts.models import Subscription
from ratsblick.reader import NotFound
from ratsblick.reader import alerts as reader
from ratsblick.search import IndexMissing

GET_POST = require_http_methods(["GET", "POST"])
UNAVAILABLE = (
    "Die Suche ist gerade nicht verfügbar: der Suchindex wird noch aufgebaut. "
    "Bitte versuchen Sie es später noch einmal."
)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/too_many.html", status=429)


def _subscribe_page(
    request: HttpRequest, what: str, target_url: str, **subscription: Any
) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not limits.client_allowed(request):
            return _too_many(request)
        data = form.cleaned_data
        try:
            subscriptions.subscribe(data["email"], data["frequency"], **subscription)
            return redirect("alerts:requested")
        except IndexMissing:  # a search's matches at this moment cannot be known yet
            form.add_error(None, UNAVAILABLE)
            status = 503
    context = {"form": form, "what": what, "target_url": target_url}
    context["query"] = subscription.get("query")
    return render(request, "alerts/subscribe.html", context, status=status)


@never_cache
@GET_POST
def save_search(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    pairs = reader.saved_query(params)
    if not pairs:
        return redirect("web:search")
    label = reader.search_label(pairs)
    return _subscribe_page(
        request,
        f"Suche {label}",
        reader.search_path(pairs),
        kind=Subscription.Kind.SEARCH,
        label=label,
        query=pairs,
    )


@never_cache
@GET_POST
def follow(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    what = subscriptions.FOLLOW_KINDS[kind]
    try:
        target = reader.followed(what, int(pk))
    except NotFound as exc:
        raise Http404 from exc
    return _subscribe_page(
        request,
        f"{what.label} {target.name}",
        target.path,
        kind=what,
        label=f"{what.label} {target.name}",
        target=target.pk,
    )


@never_cache
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/requested.html")


@never_cache
@GET_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        manage = subscriptions.confirm(token)
        if manage is None:
            return render(request, "alerts/invalid.html", status=404)
        return HttpResponseRedirect(reverse("alerts:manage", args=[manage]) + "?bestaetigt=1")
    return render(request, "alerts/confirm.html")


@never_cache
@GET_POST
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = subscriptions.manageable(token)
    if subscriber is None:
        return render(request, "alerts/invalid.html", status=404)
    notice = "Ihre Benachrichtigung ist bestätigt." if request.GET.get("bestaetigt") else ""
    if request.method == "POST":
        chosen = request.POST.get("abo", "")
        pk = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 19 else None
        if request.POST.get("aktion") == "alle":
            subscriptions.end(subscriber)
        elif pk is not None and request.POST.get("aktion") == "abbestellen":
            subscriptions.end(subscriber, pk)
        elif pk is not None:
            subscriptions.change_frequency(subscriber, pk, request.POST.get("frequency", ""))
        return redirect("alerts:manage", token=token)
    rows = [
        {"subscription": s, "url": subscriptions.target_path(s)}
        for s in subscriptions.active(subscriber)
    ]
    return render(
        request,
        "alerts/manage.html",
        {
            "subscriber": subscriber,
            "rows": rows,
            "token": token,
            "notice": notice,
            "frequencies": Subscription.Frequency.choices,
        },
    )


@never_cache
@csrf_exempt  # RFC 8058: the mail program posts `List-Unsubscribe=One-Click`, without our form
@GET_POST
def unsubscribe(request: HttpRequest, token: str, pk: str) -> HttpResponse:
    subscriber = subscriptions.manageable(token)
    if subscriber is None:
        return render(request, "alerts/invalid.html", status=404)
    if request.method == "POST":
        subscriptions.end(subscriber, int(pk))
        return render(request, "alerts/unsubscribed.html", {"token": token})
    return render(request, "alerts/unsubscribe.html", {"token": token, "pk": pk})


@never_cache
@GET_POST
def lost_link(request: HttpRequest) -> HttpResponse:
    """Ask for the manage link again: the same answer for any address."""
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not limits.client_allowed(request):
            return _too_many(request)
        subscriptions.send_manage_link(form.cleaned_data["email"])
        return redirect("alerts:requested")
    return render(request, "alerts/lost_link.html", {"form": form})


@never_cache
@login_required
def folder_mail(request: HttpRequest, name: str) -> HttpResponse:
    """A mail of the folder (demo, no SMTP server), for the operator to read and follow."""
    mail = mailbox.folder_mail(name)
    if mail is None:
        raise Http404(name)
    return render(request, "alerts/folder_mail.html", {"mail": mail})
