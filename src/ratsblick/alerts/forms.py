from __future__ import annotations

from django import forms

from ratsblick.alerts.models import Subscription


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="E-Mail-Adresse", max_length=254)
    frequency = forms.ChoiceField(
        label="Wie oft?",
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.DAILY,
        widget=forms.RadioSelect,
    )


class AddressForm(forms.Form):
    email = forms.EmailField(label="E-Mail-Adresse", max_length=254)
