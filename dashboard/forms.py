"""The dashboard's filters: a period (a preset, or from/to dates) and one association.

Bad input never fails the page: the filter that is wrong is left out, the page says which, and
the others apply (as the list pages' filters do).
"""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Filters

PRESETS = {"4w": 28, "quarter": 91, "year": 365}
PRESET_CHOICES = [("4w", _("Last 4 weeks")), ("quarter", _("Last quarter")), ("year", _("Last year"))]
DEFAULT_PRESET = "4w"  # the first choice, so the form shows what applies
MAX_DAYS = 3 * 366  # at most ~157 weeks on the weekly chart


class DateInput(forms.DateInput):
    input_type = "date"


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=PRESET_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(format="%Y-%m-%d", attrs={"class": "form-control"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(format="%Y-%m-%d", attrs={"class": "form-control"})
    )
    association = forms.ModelChoiceField(
        label=_("Association"),
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label=_("All associations"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, associations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations.order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(None, _("The start of the period is after its end; the dates are ignored."))
        elif start and end and (end - start).days >= MAX_DAYS:
            self.add_error(None, _("The period may be at most three years; the dates are ignored."))
        return data

    def filters(self, today: date) -> Filters:
        """The period and association the valid fields give; defaults for the rest."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = dict(self.cleaned_data)
            if self.non_field_errors():
                data.pop("date_from", None)
                data.pop("date_to", None)
        days = PRESETS[data.get("period") or DEFAULT_PRESET]
        end = data.get("date_to") or today
        start = data.get("date_from") or end - timedelta(days=days - 1)
        if start > end or (end - start).days >= MAX_DAYS:  # one date only, and far from today
            start, end = today - timedelta(days=days - 1), today
        return Filters(start=start, end=end, association=data.get("association"))

    def problems(self) -> list[str]:
        """What was left out, one message each."""
        messages = [str(error) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != forms.forms.NON_FIELD_ERRORS:
                messages += [f"{self.fields[name].label}: {error}" for error in errors]
        return messages
