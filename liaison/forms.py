"""Forms of the core pages. They validate only; services write."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import office_settings
from liaison.calendar_services import YEAR_RANGE, describe
from liaison.models import CalendarDay

HOLIDAY, WORKING = "holiday", "working"


class CalendarDayForm(forms.Form):
    """One entry: a holiday or a make-up working day, of the owner the writer enters for
    (`office`: None for the deployment, else the office's local entry)."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2027-01-01.")},
    )
    kind = forms.ChoiceField(
        label=_("The day is"),
        choices=[(HOLIDAY, _("A holiday (rest day)")), (WORKING, _("A make-up working day"))],
        widget=forms.RadioSelect,
        initial=HOLIDAY,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=CalendarDay._meta.get_field("name").max_length,
        required=False,
        help_text=_("For example: Spring Festival."),
    )

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, prefix="day", **kwargs)
        self.office = office
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("date", css_class="col-sm-6"),
                Column("name", css_class="col-sm-6"),
                Column(InlineRadios("kind"), css_class="col-12"),
                css_class="g-2",
            )
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day.year not in YEAR_RANGE:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        existing = CalendarDay.objects.filter(date=day, office=self.office).first()
        if existing is not None:
            raise forms.ValidationError(
                _("%(date)s already has an entry: %(entry)s. Delete it below first if you want to change it.")
                % {"date": day.isoformat(), "entry": describe(existing)}
            )
        return day

    @property
    def is_working_day(self) -> bool:
        return self.cleaned_data["kind"] == WORKING


class CalendarImportForm(forms.Form):
    """Several entries pasted as lines: `2027-01-01 元旦 休` or `2027-02-06 春节 班`."""

    lines = forms.CharField(
        label=_("One date a line"),
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "2027-01-01 元旦 休\n2027-02-06 春节 班", "spellcheck": "false"}
        ),
        help_text=_(
            "Date, name, then 休 for a holiday or 班 for a make-up working day. Nothing is saved unless every line is valid."
        ),
        max_length=20_000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="bulk", **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def line_list(self) -> list[str]:
        return self.cleaned_data["lines"].splitlines()


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app (or, where allowed, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("The 6 digits your authenticator app shows now."),
    )


class TwoFactorSignInForm(TwoFactorCodeForm):
    """The sign-in's second step: the app's code or one recovery code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6 digits your authenticator app shows now. Lost your phone? Enter one of your recovery codes."
        )


class TwoFactorDisableForm(TwoFactorSignInForm):
    """Switching the second factor off asks for the password and a code."""

    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["password", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)


class OfficeSettingsForm(forms.Form):
    """An office's own settings (`liaison.office_settings`): one field per setting; a blank field
    follows the office above (its value is the placeholder). The signature is typed with or
    without 【】 and stored without them."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            setting = row.setting
            attrs = {"class": "form-control", "placeholder": str(row.inherited.value)}
            if setting.field == "sms_sign_name":
                attrs["maxlength"] = office_settings.SIGN_MAX + 2
                field = forms.CharField(required=False, widget=forms.TextInput(attrs=attrs))
            else:
                out_of_range = _("Enter a whole number from %(low)s to %(high)s.") % {
                    "low": setting.low,
                    "high": setting.high,
                }
                attrs["inputmode"] = "numeric"
                field = forms.IntegerField(
                    required=False,
                    min_value=setting.low,
                    max_value=setting.high,
                    widget=forms.NumberInput(attrs=attrs),
                    error_messages={"invalid": out_of_range, "min_value": out_of_range, "max_value": out_of_range},
                )
            field.label = setting.label
            self.fields[setting.field] = field
            self.initial[setting.field] = row.own

    def clean_sms_sign_name(self) -> str:
        value = (self.cleaned_data.get("sms_sign_name") or "").strip()
        if value.startswith("【") and value.endswith("】"):
            value = value[1:-1].strip()
        if not value:
            return ""
        if any(c in "【】[]" or c.isspace() for c in value):
            raise forms.ValidationError(_("Type the signature without spaces or brackets; 【】 are added to it."))
        if not office_settings.SIGN_MIN <= len(value) <= office_settings.SIGN_MAX:
            raise forms.ValidationError(
                _("A signature has %(low)s to %(high)s characters, such as 延庆区人大常委会.")
                % {"low": office_settings.SIGN_MIN, "high": office_settings.SIGN_MAX}
            )
        return value
