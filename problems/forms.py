"""The forms of the problem list in the admin: raising and editing a problem, and the steps the
office and the units take on its page (交办, 办理, 退回, 销号, 不予受理)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from investment.models import MAX_PHOTOS
from investment.photos import MAX_BYTES as PHOTO_BYTES
from investment.photos import Photo, checked_photo
from investment.workflow import REASON_LENGTH
from people.access import reach
from plan.forms import CONTROL_CHARACTERS, BoundedChoices, control_character_error
from plan.models import City, Unit
from problems.models import Problem, ProblemAttachment, ProblemEntry
from tasks.models import Project, Task

Status = Problem.Status
UNIT_REFUSED = gettext_lazy("Responsible unit: choose a unit that exists and is active.")


def fill_in(label) -> str:
    return format_lazy(gettext_lazy("{field}: please fill it in."), field=label)


def no_control_characters(form: forms.Form, *names: str) -> None:
    """Refuse a control character in each named text field, saying which field."""
    for name in names:
        value = form.cleaned_data.get(name) or ""
        if CONTROL_CHARACTERS.search(value):
            form.add_error(name, control_character_error(form.fields[name].label))


class TaskTaggedSelect(forms.Select):
    """The key project menu: each option names its task, so the page narrows the menu to the
    task chosen above it (static/js/admin.js); the server still refuses a mismatch."""

    tasks: dict[int, int] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        task = self.tasks.get(getattr(value, "value", value))
        if task is not None:
            option["attrs"]["data-task"] = str(task)
        return option


class ProblemForm(forms.ModelForm):
    """A problem as raised and edited: a reporter names her city's tasks and projects only; the
    office edits anything, saying why (kept in the problem's history)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the problem's history."),
    )

    user = None  # Set per request by the admin's get_form.

    class Meta:
        model = Problem
        fields = ["task", "project", "city", "title", "description", "kind"]
        widgets = {"project": TaskTaggedSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        self.fields["seen_version"].required = self.instance.pk is not None
        for field in self.fields.values():
            field.error_messages["required"] = fill_in(field.label)
        # The model says what an empty title or description lacks (Problem.clean).
        for name in ("title", "description"):
            if name in self.fields:
                self.fields[name].required = False
        if "unit" in self.fields:
            # An inactive unit stays on the problems it already had.
            self.fields["unit"].queryset = Unit.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.unit_id)
            )
            self.fields["unit"].required = True  # Shown once assigned (the admin's get_fields).
            self.fields["unit"].error_messages.update(
                invalid_choice=UNIT_REFUSED, required=UNIT_REFUSED
            )
        if "deadline" in self.fields:
            self.fields["deadline"].required = True
            self.fields["deadline"].error_messages.update(
                required=_("Deadline: give the day the unit must answer by."),
                invalid=_("Deadline: give a date such as 2021-06-30."),
            )
        if "supporting_units" in self.fields:
            self.fields["supporting_units"].error_messages["invalid_choice"] = _(
                "Supporting units: choose units that exist."
            )
        if "task" in self.fields:
            self.fields["task"].queryset = Task.objects.select_related("area")
        if not reach(self.user).office:
            self.limit_to_city(reach(self.user).places, reach(self.user).plans())
        if "project" in self.fields:
            # The admin wraps the menu (add and change links); the options are the inner one's.
            field = self.fields["project"]
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, TaskTaggedSelect):
                widget.tasks = dict(field.queryset.values_list("pk", "task_id"))

    def limit_to_city(self, places: frozenset[int], plans) -> None:
        """A reporter's menus hold her places (her city, its counties), their tasks, and their
        projects through them; anything else posted was crafted, and is refused naming the
        field."""
        tasks = Task.objects.filter(cities__in=places, area__plan__in=plans)
        tasks = tasks.distinct().select_related("area")
        menus = {
            "city": (
                City.objects.filter(pk__in=places),
                _("Raised by city: you raise problems for your own city only."),
            ),
            "task": (tasks, _("Task: choose a task your city takes part in.")),
            "project": (
                Project.objects.filter(cities__in=places, task__in=tasks).distinct(),
                _("Key project: choose a project of those tasks in your city."),
            ),
        }
        for name, (queryset, message) in menus.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
                self.fields[name].error_messages["invalid_choice"] = message
        if "city" in self.fields and len(places) == 1:
            self.fields["city"].initial = next(iter(places))

    def clean(self) -> dict:
        cleaned = super().clean()
        no_control_characters(self, "change_reason")
        deadline = cleaned.get("deadline")
        assigned_on = self.instance.assigned_on
        if "deadline" in self.changed_data and deadline and assigned_on and deadline < assigned_on:
            self.add_error(
                "deadline",
                _("Deadline: %(deadline)s is before %(assigned)s, the day it was assigned.")
                % {"deadline": deadline.isoformat(), "assigned": assigned_on.isoformat()},
            )
        if self.instance.pk is not None:
            reason = (cleaned.get("change_reason") or "").strip()
            if (
                reach(self.user).office
                and self.has_changed()
                and not reason
                and "change_reason" in self.fields
            ):
                self.add_error(
                    "change_reason",
                    _("Reason for the change: say why the office changes the problem."),
                )
            self.instance._change_reason = reason or None
            try:
                self.instance.check_version(cleaned.get("seen_version"))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos in one input (how many is the form's to say)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png"})

    def clean(self, data, initial=None) -> list:
        uploads = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(upload, initial) for upload in uploads if upload]


class StepForm(forms.Form):
    """One step of a problem, taken from its page: the model's step and `record` in one
    transaction, against the version the page showed; refused, nothing is saved.

    A subclass takes its step on the problem and returns the thread entry to save (`entry()`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        required=False, max_length=REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    name = ""  # the step's admin URL: admin:problems_problem_<name>
    button = ""
    done = ""
    text_label = ""
    FROM: tuple = ()  # the statuses the step is offered in

    def __init__(self, problem: Problem, user, *args, **kwargs) -> None:
        # Several steps share the problem's page: each labels its own fields.
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")
        super().__init__(*args, **kwargs)
        self.problem, self.user = problem, user
        self.fields["seen_version"].initial = problem.version
        self.fields["text"].label = self.text_label
        self.fields["text"].error_messages["max_length"] = format_lazy(
            gettext_lazy("{field}: at most {limit} characters."),
            field=self.text_label,
            limit=REASON_LENGTH,
        )

    @classmethod
    def allowed(cls, problem: Problem, user) -> bool:
        """Whether `user` may take this step of `problem` at all (else a 403)."""
        return reach(user).office

    @classmethod
    def offered(cls, problem: Problem, user) -> bool:
        """Whether the step's form is shown on the problem's page."""
        return problem.status in cls.FROM and cls.allowed(problem, user)

    def clean(self) -> dict:
        cleaned = super().clean()
        no_control_characters(self, "text")
        if self.errors.pop("seen_version", None):
            # A hidden field's error shows nowhere: said as what it means, a page out of date.
            self.add_error(
                None, _("This page is out of date: open the problem again, then take the step.")
            )
        return cleaned

    def saved(self, entry: ProblemEntry) -> None:
        """What the step saves beside the problem and its entry."""

    def done_message(self) -> str:
        return str(self.done)

    def take(self) -> bool:
        """Take the step and save it; False, with the refusal on the form, if refused."""
        try:
            with transaction.atomic():
                entry = self.entry()
                self.problem.record(entry, self.cleaned_data["seen_version"])
                self.saved(entry)
        except ValidationError as error:
            self.problem.refresh_from_db()  # The step changed it in memory only.
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
            return False
        return True


class AssignForm(StepForm):
    name = "assign"
    button = gettext_lazy("Assign")
    done = gettext_lazy("Assigned to %(unit)s, to answer by %(deadline)s.")
    text_label = gettext_lazy("Note to the unit")
    FROM = (Status.RAISED, Status.ASSIGNED)

    unit = forms.ModelChoiceField(
        Unit.objects.active(),
        label=gettext_lazy("responsible unit"),
        error_messages={"required": UNIT_REFUSED, "invalid_choice": UNIT_REFUSED},
    )
    deadline = forms.DateField(
        label=gettext_lazy("deadline"),
        # A date input takes only yyyy-mm-dd: in the locale's own format it would show empty.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Deadline: give the day the unit must answer by."),
            "invalid": gettext_lazy("Deadline: give a date such as 2021-06-30."),
        },
    )
    supporting_units = BoundedChoices(
        Unit.objects.active(),
        label=gettext_lazy("supporting units"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Supporting units: choose units that exist and are active."
            ),
            "invalid_pk_value": gettext_lazy(
                "Supporting units: choose units that exist and are active."
            ),
        },
    )
    leader = forms.CharField(
        label=gettext_lazy("coordinating leader"),
        required=False,
        max_length=50,
        error_messages={"max_length": gettext_lazy("Coordinating leader: at most 50 characters.")},
    )
    field_order = ["unit", "deadline", "supporting_units", "leader", "text"]

    def __init__(self, problem: Problem, user, *args, **kwargs) -> None:
        super().__init__(problem, user, *args, **kwargs)
        self.initial.update(
            unit=problem.unit_id,
            deadline=problem.deadline,
            leader=problem.leader,
            supporting_units=list(problem.supporting_units.values_list("pk", flat=True))
            if problem.pk
            else [],
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        no_control_characters(self, "leader")
        return cleaned

    def entry(self) -> ProblemEntry:
        data = self.cleaned_data
        self.problem.leader = data["leader"].strip()
        return self.problem.assign(self.user, data["unit"], data["deadline"], data["text"])

    def saved(self, entry: ProblemEntry) -> None:
        self.problem.supporting_units.set(self.cleaned_data["supporting_units"])

    def done_message(self) -> str:
        return self.done % {
            "unit": self.problem.unit,
            "deadline": self.problem.deadline.isoformat(),
        }


class AnswerForm(StepForm):
    name = "answer"
    button = gettext_lazy("Answer")
    done = gettext_lazy("Answered; the office will check it.")
    text_label = gettext_lazy("answer: what was done")
    FROM = (Status.ASSIGNED,)

    photos = PhotosField(
        label=gettext_lazy("photos"),
        required=False,
        help_text=format_lazy(
            gettext_lazy("Up to {count} JPEG or PNG photos, {size} MB each."),
            count=MAX_PHOTOS,
            size=PHOTO_BYTES // 1024 // 1024,
        ),
    )

    @classmethod
    def allowed(cls, problem: Problem, user) -> bool:
        unit = reach(user).unit
        return reach(user).office or (unit is not None and unit.pk == problem.unit_id)

    def clean_photos(self) -> list[Photo]:
        uploads = self.cleaned_data["photos"]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                _("Photos: an answer has at most %(limit)d photos; %(count)d were chosen.")
                % {"limit": MAX_PHOTOS, "count": len(uploads)}
            )
        photos, errors = [], []
        for upload in uploads:
            try:
                photos.append(checked_photo(upload))
            except ValidationError as error:
                name = (upload.name or "")[:60]
                errors.append(
                    _("%(error)s (file: %(name)s)") % {"error": error.message, "name": name}
                )
        if errors:
            raise ValidationError(errors)
        return photos

    def entry(self) -> ProblemEntry:
        return self.problem.answer(self.user, self.cleaned_data["text"])

    def saved(self, entry: ProblemEntry) -> None:
        stored = []
        try:
            for photo in self.cleaned_data["photos"]:
                attachment = ProblemAttachment(
                    entry=entry, width=photo.width, height=photo.height, taken_at=photo.taken_at
                )
                # The file first, so that its name is known if the row cannot be saved.
                attachment.image.save(photo.file.name, photo.file, save=False)
                stored.append(attachment.image)
                attachment.save()
        except BaseException:
            # Nothing of a failed answer is kept, its files included.
            for image in stored:
                image.storage.delete(image.name)
            raise


class ReturnForm(StepForm):
    name = "return"
    button = gettext_lazy("Return to the unit")
    done = gettext_lazy("Returned to the unit with the reason.")
    text_label = gettext_lazy("reason for return")
    FROM = (Status.ANSWERED,)

    def entry(self) -> ProblemEntry:
        return self.problem.send_back(self.user, self.cleaned_data["text"])


class CloseForm(StepForm):
    name = "close"
    button = gettext_lazy("Close (verified)")
    done = gettext_lazy("Closed.")
    text_label = gettext_lazy("note on closing")
    FROM = (Status.ANSWERED,)

    def entry(self) -> ProblemEntry:
        return self.problem.close(self.user, self.cleaned_data["text"])


class RefuseForm(StepForm):
    name = "refuse"
    button = gettext_lazy("Not accepted")
    done = gettext_lazy("Marked as not accepted, with the reason.")
    text_label = gettext_lazy("reason for not accepting")
    FROM = Problem.OPEN

    def entry(self) -> ProblemEntry:
        return self.problem.refuse(self.user, self.cleaned_data["text"])


STEPS: dict[str, type[StepForm]] = {
    form.name: form for form in (AssignForm, AnswerForm, ReturnForm, CloseForm, RefuseForm)
}


def thread(problem: Problem) -> models.QuerySet:
    """The problem's entries in order, with their authors and attachments."""
    return problem.entries.select_related("author").prefetch_related("attachments")
