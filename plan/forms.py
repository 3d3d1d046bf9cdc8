import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MinValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# What a text never holds, on any path in: control characters but tab, newline and carriage
# return (Excel refuses them in a cell, PostgreSQL refuses NUL, Word's Shift+Enter pastes a
# vertical tab, \x0b), and the rest of what XML 1.0 cannot hold (U+FFFE, U+FFFF, a lone
# surrogate), which would break every workbook and Word file the text reaches. Every writer
# drops them too (plan.spreadsheets.cell_text, bulletins.files), for what was stored before.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character_error(field) -> ValidationError:
    return ValidationError(
        _(
            "%(field)s contains a control character (such as the line break Word's "
            "Shift+Enter pastes); remove it and save again."
        )
        % {"field": field},
        code="control_character",
    )


# The largest id a database's integer key holds: a larger number typed or forged into a choice
# is no row, never an overflow (SQLite raises one).
BIGGEST_ID = 2**63 - 1


def is_id(value) -> bool:
    """Whether `value` is an id a database holds: ASCII digits ("²" is a digit to Python, not
    to int()), at most BIGGEST_ID."""
    text = str(value)
    # The length first: int() of a 5,000-digit string raises (Python's digit limit).
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= BIGGEST_ID


def bounded_id(value) -> bool:
    """Whether `value` is no number at all (the field says why) or an id a database holds."""
    text = str(value).strip()
    return not text.isdigit() or is_id(text)


class BoundedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # A row of one year's plan says which year (`choice_label`): "2. 互联互通" returns
        # each year.
        return getattr(obj, "choice_label", None) or str(obj)

    def to_python(self, value):
        if value not in self.empty_values and not bounded_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedChoices(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if any(not bounded_id(item) for item in value or ()):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": next(v for v in value if not bounded_id(v))},
            )
        return super()._check_values(value)


class ChosenIdsOnly:
    """An autocomplete widget that shows again only chosen values that are ids: a refused
    "abc" or 2**64 is not looked up (Django's would fail on it while drawing the form)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if is_id(item)], attr)


class BoundedAutocomplete(ChosenIdsOnly, AutocompleteSelect):
    pass


class BoundedAutocompleteMultiple(ChosenIdsOnly, AutocompleteSelectMultiple):
    pass


class BoundedIds:
    """An admin whose choices of related rows take only ids a database holds (see BIGGEST_ID)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedChoice)
        related = getattr(db_field.related_model, "CHOICE_RELATED", None)
        if related and "queryset" not in kwargs:
            kwargs["queryset"] = db_field.related_model._default_manager.select_related(related)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", BoundedAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedChoices)
        if db_field.name in self.get_autocomplete_fields(request):
            widget = BoundedAutocompleteMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs.setdefault("widget", widget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@deconstructible(path="plan.forms.PlainText")
class PlainText:
    """A text field's value holds none of CONTROL_CHARACTERS; the message names the field.

    Every CharField and TextField of the project's models has one (PlanConfig.ready adds it),
    so the admin, the sheet, the import and every model form refuse such a text alike."""

    def __init__(self, field) -> None:
        self.field = field

    def __call__(self, value) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise control_character_error(self.field)

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainText) and other.field == self.field


@deconstructible(path="plan.forms.YiDigits")
class YiDigits(DecimalValidator):
    """Too many decimal places are said as such, before "too large" (Django checks the total
    number of digits first, so 1.00000000000000000001 would be "too large")."""

    def __call__(self, value) -> None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            raise ValidationError(
                self.messages["max_decimal_places"],
                code="max_decimal_places",
                params={"max": self.decimal_places, "value": value},
            )
        super().__call__(value)


def yi_validators(field: str, max_digits: int, decimal_places: int) -> list:
    """An amount's bounds, with messages that name the field wherever they are shown."""
    digits = YiDigits(max_digits, decimal_places)
    digits.messages = {
        "invalid": format_lazy(_("{field} must be a number."), field=field),
        "max_digits": format_lazy(_("{field} is too large."), field=field),
        "max_whole_digits": format_lazy(_("{field} is too large."), field=field),
        "max_decimal_places": format_lazy(
            _("{field} has at most 4 decimal places (万元)."), field=field
        ),
    }
    negative = MinValueValidator(
        0, message=format_lazy(_("{field} cannot be negative."), field=field)
    )
    return [digits, negative]


class YiFormField(forms.DecimalField):
    """An amount in 亿元 as clerks type it: full-width digits (１２．５) and stray spaces are fine.

    Chinese input methods produce full-width characters; NFKC folds them to ASCII.
    """

    # A number input would refuse full-width digits before the server could fold them.
    widget = forms.TextInput

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        label = self.label or _("amount")
        self.error_messages["invalid"] = format_lazy(_("{field} must be a number."), field=label)
        self.error_messages["required"] = format_lazy(_("{field}: please fill it in."), field=label)
        self.validators = [
            *[v for v in self.validators if not isinstance(v, DecimalValidator)],
            *yi_validators(label, self.max_digits, self.decimal_places),
        ]

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
            # What clerks type beside the number: the unit, once, is understood; 万元 and a
            # decimal comma are said back with the figure as it should be typed.
            value = value.removesuffix("亿元").removesuffix("亿").strip()
            label = self.label or _("amount")
            if value.endswith(("万元", "万")):
                number = value.removesuffix("万元").removesuffix("万").strip()
                try:
                    converted = format(Decimal(number) / 10000, "f")
                except (InvalidOperation, ValueError):
                    converted = None
                if converted is not None:
                    raise ValidationError(
                        _(
                            "%(field)s: enter the amount in 100 million yuan: %(typed)s 万元 is "
                            "%(yi)s (1 亿元 = 10000 万元)."
                        )
                        % {"field": label, "typed": number, "yi": converted},
                        code="invalid",
                    )
            if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", value):
                value = value.replace(",", "")  # Thousands separated, as Excel writes them.
            elif "," in value:
                raise ValidationError(
                    _("%(field)s: write a decimal point, not a comma (“%(typed)s”).")
                    % {"field": label, "typed": value},
                    code="invalid",
                )
        return super().to_python(value)
