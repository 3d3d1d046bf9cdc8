import unicodedata

from django import forms


class YiFormField(forms.DecimalField):
    """An amount in 亿元 as clerks type it: full-width digits (１２．５) and stray spaces are fine.

    Chinese input methods produce full-width characters; NFKC folds them to ASCII.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)
