"""Photos of project updates: checked and re-encoded with Pillow, kept through Django's storage
API, served only to who may see the update."""

from django.contrib import admin

from .models import ProjectPhoto


class ProjectPhotoInline(admin.TabularInline):
    model = ProjectPhoto
    extra = 0
