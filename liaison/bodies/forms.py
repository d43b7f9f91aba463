"""The working body's form: validation only (`liaison.bodies.services` writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.bodies.services import department_choices, member_choices
from liaison.models import Office, WorkingBody


class _Members(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.username})" if obj.full_name else obj.username


class _Departments(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.jurisdiction.name}）"


class WorkingBodyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("As the office calls it, for example 城建环保委 or 社会建设委."),
    )
    departments = _Departments(
        label=_("Departments it coordinates"),
        queryset=WorkingBody._meta.get_field("departments").related_model.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Its staff see, supervise and evaluate these departments' items and organise their head visits."),
        error_messages={"invalid_choice": _("Choose departments of the office's jurisdiction.")},
    )
    members = _Members(
        label=_("Staff"),
        queryset=WorkingBody._meta.get_field("members").related_model.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_(
            "Accounts of the role “working body staff” of the office's jurisdiction; the system administrator "
            "creates them."
        ),
        error_messages={"invalid_choice": _("Choose working-body staff accounts of the office's jurisdiction.")},
    )

    def __init__(self, *args, office: Office, body: WorkingBody | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = department_choices(office, body)
        self.fields["members"].queryset = member_choices(office, body)

    @classmethod
    def initial_for(cls, body: WorkingBody) -> dict:
        return {
            "name": body.name,
            "departments": list(body.departments.values_list("pk", flat=True)),
            "members": list(body.members.values_list("pk", flat=True)),
        }
