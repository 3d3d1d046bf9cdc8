"""The office's one form for a person: her account, role, city or unit, name, post, phone and
email (AccountForm); and each person's own notice settings (NoticeForm)."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from people.models import Account, Profile, Reporter, UnitContact
from people.roles import REPORTER, UNIT_CONTACT
from plan.forms import CONTROL_CHARACTERS, BoundedChoice, control_character_error
from plan.models import City, Unit


def name_the_fields(form: forms.Form) -> None:
    """Each field's label as the admin writes it, and every message of its own naming it."""
    for field in form.fields.values():
        field.label = label = capfirst(field.label)
        words = {"field": label}
        messages = {
            "required": _("%(field)s: please fill it in.") % words,
            "max_length": _("%(field)s: at most %%(limit_value)d characters.") % words,
            "invalid_choice": _("%(field)s: choose one from the list.") % words,
            "null_characters_not_allowed": _("%(field)s: a control character is not allowed.")
            % words,
        }
        if isinstance(field, forms.EmailField):
            messages["invalid"] = _("%(field)s: enter a valid email address.") % words
        field.error_messages.update(messages)


class AccountForm(forms.ModelForm):
    """A city's reporter or a unit's contact, as the office creates and changes her. The role
    is one of the two (never the office's, never a superuser), and the account holds only it."""

    ROLES = [(REPORTER, _("city reporter")), (UNIT_CONTACT, _("unit contact"))]

    role = forms.ChoiceField(
        label=_("role"),
        choices=ROLES,
        error_messages={
            "required": _("Role: choose city reporter or unit contact."),
            "invalid_choice": _("Role: choose city reporter or unit contact."),
        },
    )
    city = BoundedChoice(
        label=_("city"),
        queryset=City.objects.all(),
        required=False,
        help_text=_("A city reporter's city."),
    )
    unit = BoundedChoice(
        label=_("unit"),
        queryset=Unit.objects.active(),
        required=False,
        help_text=_("A unit contact's unit."),
    )
    post = forms.CharField(label=_("post"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    notify = forms.BooleanField(label=_("email at each event"), required=False, initial=True)
    # Not "password": the admin would write the form's field into the model's password hash.
    new_password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "A new account's first password, which its holder changes after signing in; "
            "leave empty to keep the current one."
        ),
    )

    class Meta:
        model = Account
        fields = ["username", "first_name", "email", "is_active"]
        labels = {"first_name": _("real name"), "email": _("email")}
        help_texts = {
            "first_name": _("As others read it in threads and histories, e.g. 王芳."),
            "is_active": _(
                "Uncheck to deactivate: the account can no longer sign in; its "
                "records keep its name."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        name_the_fields(self)
        self.fields["role"].error_messages.update(type(self).base_fields["role"].error_messages)
        self.fields["username"].error_messages["invalid"] = _(
            "Username: letters, digits and @/./+/-/_ only."
        )
        self.fields["first_name"].required = True
        user = self.instance
        if user.pk:
            reporter = Reporter.objects.filter(user=user).select_related("city").first()
            contact = UnitContact.objects.filter(user=user).select_related("unit").first()
            profile = Profile.objects.filter(user=user).first()
            self.initial |= {
                "role": UNIT_CONTACT if contact else REPORTER,
                "city": reporter.city_id if reporter else None,
                "unit": contact.unit_id if contact else None,
                "post": profile.post if profile else "",
                "phone": profile.phone if profile else "",
                "notify": profile.notify if profile else True,
            }
            if contact:
                # A unit no longer active stays her unit until she is moved.
                self.fields["unit"].queryset = Unit.objects.filter(
                    is_active=True
                ) | Unit.objects.filter(pk=contact.unit_id)
        else:
            self.fields["new_password"].required = True

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        taken = Account.objects.filter(username=username).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Username: another account already has this name."))
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("first_name", "post", "phone"):
            if CONTROL_CHARACTERS.search(cleaned.get(name) or ""):
                self.add_error(name, control_character_error(self.fields[name].label))
        role = cleaned.get("role")
        # A city or unit that was given but is not one is said once, by its field.
        if role == REPORTER and not cleaned.get("city") and "city" not in self.errors:
            self.add_error("city", _("City: a city reporter reports for one city; choose it."))
        if role == UNIT_CONTACT and not cleaned.get("unit") and "unit" not in self.errors:
            self.add_error("unit", _("Unit: a unit contact answers for one unit; choose it."))
        if password := cleaned.get("new_password"):
            # Compared with the account as this form would leave it (its new name, email).
            probe = Account(
                pk=self.instance.pk,
                username=cleaned.get("username") or self.instance.username,
                first_name=cleaned.get("first_name") or "",
                email=cleaned.get("email") or "",
            )
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as error:
                for problem in error.error_list:
                    if problem.code == "password_too_short":
                        # Django's own sentence has no Chinese in this version.
                        message = _("at least %(count)d characters") % {
                            "count": problem.params["min_length"]
                        }
                    else:
                        message = " ".join(problem.messages)
                    self.add_error(
                        "new_password", _("Password: %(problem)s") % {"problem": message}
                    )
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True) -> Account:
        user = super().save(commit=False)
        user.is_staff = True  # Both roles work in the admin.
        user.is_superuser = False
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
        user.save()
        role = self.cleaned_data["role"]
        # One role, and nothing else: no other group, no permission of its own.
        user.groups.set([Group.objects.get(name=role)])
        user.user_permissions.clear()
        if role == REPORTER:
            UnitContact.objects.filter(user=user).delete()
            Reporter.objects.update_or_create(
                user=user, defaults={"city": self.cleaned_data["city"]}
            )
        else:
            Reporter.objects.filter(user=user).delete()
            UnitContact.objects.update_or_create(
                user=user, defaults={"unit": self.cleaned_data["unit"]}
            )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "post": self.cleaned_data["post"],
                "phone": self.cleaned_data["phone"],
                "notify": self.cleaned_data["notify"],
            },
        )
        return user


class NoticeForm(forms.ModelForm):
    """What each person decides for herself: her email, phone and whether she gets notices."""

    email = forms.EmailField(label=_("email"), required=False, max_length=254)

    class Meta:
        model = Profile
        fields = ["phone", "notify"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.user.email
        name_the_fields(self)
        self.order_fields(["email", "phone", "notify"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if CONTROL_CHARACTERS.search(phone):
            raise control_character_error(self.fields["phone"].label)
        return phone

    @transaction.atomic
    def save(self, commit: bool = True) -> Profile:
        profile = super().save()
        profile.user.email = self.cleaned_data["email"]
        profile.user.save(update_fields=["email"])
        return profile
