"""The reporting admin: the workflow every reported model's admin shares (workflow.py), the
progress reports with their quarter sheet, import and closing (reports.py), and the project
updates (updates.py). Importing the package registers them."""

from investment.admin import reports, updates  # noqa: F401
