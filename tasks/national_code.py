"""The national project code (固定资产投资项目代码): the code the national investment project
online approval platform (全国投资项目在线审批监管平台) gives a project, by GB/T 40058-2021
《全国固定资产投资项目代码编码规范》.

Sources. The standard's own text was at hand only as far as its table of contents
(https://guifanku.com/822953.html): §4 项目代码结构 has 4.1 结构要求, then one subsection per
part: 4.2 时间代码, 4.3 地区代码, 4.4 中央业务指导部门代码, 4.5 项目类型代码, 4.6 随机码,
4.7 校验码; Appendix A gives examples. The lengths are those of the NDRC's answers on the
standard's publication (reprinted at https://zidonghua.com.cn/news/program/42931.html, its
second point, 项目代码结构): 24 characters, a 4-character time code, a 6-character region code,
a 2-character central department code, a 2-character project type code, a 5-character random
code and a 1-character check code, in five segments one after another.

What is checked, and nothing more:
- The parts add up to 20 characters in five segments (the random code and the check code are
  the last one), so the 24 the source counts are the segments and the 4 separators between
  them: the code is written with hyphens, as it is printed (XXXX-XXXXXX-XX-XX-XXXXXX), and
  stored so. Without them a code is not in the source's form and is refused.
- Each segment is digits or capital Latin letters: the text at hand gives no character set,
  so only what no code can hold (punctuation, spaces, Chinese) is refused.
- No check character is verified: §4.7's rule was not in the text at hand, and none is
  guessed. Neither are the time, region, department or type codes' values checked.
"""

import re
import string
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plan.forms import CONTROL_CHARACTERS

SEGMENTS = (4, 6, 2, 2, 6)  # time, region, department, type, random code + check code
LENGTH = sum(SEGMENTS) + len(SEGMENTS) - 1  # 24
NATIONAL_CODE = re.compile("-".join(f"[0-9A-Z]{{{n}}}" for n in SEGMENTS))

# What stands for a hyphen in text pasted from Word or typed by an input method (NFKC folds
# the full-width －); Latin letters to capitals, and only they (ß is no code's letter).
TO_HYPHEN = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
TO_CAPITALS = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)

FORMAT_MESSAGE = _(
    "National project code: wrong format; it has 24 characters, five parts joined by hyphens, "
    "as XXXX-XXXXXX-XX-XX-XXXXXX (a 4-character time code, a 6-character region code, a "
    "2-character central department code, a 2-character project type code, a 5-character "
    "random code and a 1-character check code, of digits or capital letters)."
)


def normalise(text: str) -> str:
    """A code as it is stored: full-width characters folded, dashes made hyphens, letters made
    capitals, the spaces around it stripped."""
    folded = unicodedata.normalize("NFKC", text).translate(TO_HYPHEN)
    return folded.strip().translate(TO_CAPITALS)


def is_national_code(text: str) -> bool:
    return NATIONAL_CODE.fullmatch(text) is not None


def validate_national_code(value: str) -> None:
    # A control character is PlainText's to name (plan.forms), in the words it has for them.
    if not is_national_code(value) and not CONTROL_CHARACTERS.search(value):
        raise ValidationError(FORMAT_MESSAGE, code="invalid")


class NationalCodeField(models.CharField):
    """A national project code: folded as typed (`normalise`) when the row is cleaned, then
    checked; "" when none is known."""

    default_validators = [validate_national_code]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", LENGTH)
        super().__init__(*args, **kwargs)
        # One message for every malformed code, not Django's "at most 24 characters" too.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value

    def formfield(self, **kwargs):
        # The length is the model's to judge, once folded: a full-width code with a space
        # pasted around it is longer before.
        return super().formfield(**{"max_length": None, **kwargs})
