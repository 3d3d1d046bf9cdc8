import unicodedata

from django import forms
from django.core.validators import DecimalValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def yi_validators(field: str, max_digits: int, decimal_places: int) -> list:
    """An amount's bounds, with messages that name the field wherever they are shown."""
    digits = DecimalValidator(max_digits, decimal_places)
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
        return super().to_python(value)
