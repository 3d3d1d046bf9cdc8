"""Writes a plan year's open data as the site serves it, for a portal upload:
DIR/<year>/<dataset>.csv|xlsx|json, DIR/<year>/oc4ids.json, DIR/fields/<dataset>.csv and
DIR/catalog.jsonld."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from figures.sample import sample_data_exists
from opendata import catalog, files, oc4ids
from opendata.datasets import DATASETS, OpenYear
from plan.models import Plan


class Command(BaseCommand):
    help = "Write a plan year's open datasets, their field dictionaries and the catalogue."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--sample",
            action="store_true",
            help="Write them even though the site holds sample data (for a demonstration).",
        )

    def handle(self, *args, year: int, directory: Path, sample: bool, **options) -> None:
        plan = Plan.objects.issued().filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有已印发的{year}年工作要点：草稿不发布开放数据。")
        exists = sample_data_exists()
        if exists and not sample:
            raise CommandError(
                "本站载有示例数据，不能作为开放数据发布：先运行 purge_sample_data，"
                "或加 --sample 写出演示用文件。"
            )
        found = OpenYear(plan)
        (directory / str(year)).mkdir(parents=True, exist_ok=True)
        (directory / "fields").mkdir(exist_ok=True)
        for dataset in DATASETS:
            stem = directory / str(year) / dataset.slug
            stem.with_suffix(".csv").write_text(
                "".join(files.as_csv(dataset, found)), encoding="utf-8"
            )
            stem.with_suffix(".json").write_text(
                "".join(files.as_json(dataset, found)), encoding="utf-8"
            )
            stem.with_suffix(".xlsx").write_bytes(files.as_xlsx(dataset, found))
            (directory / "fields" / f"{dataset.slug}.csv").write_text(
                "".join(files.dictionary_csv(dataset)), encoding="utf-8"
            )
        uri = settings.SITE_URL + reverse("opendata-oc4ids", args=[year])
        (directory / str(year) / "oc4ids.json").write_text(
            "".join(oc4ids.package(found, uri)), encoding="utf-8"
        )
        (directory / "catalog.jsonld").write_text(
            # The catalogue of every issued year, as the site's: files of earlier exports stay
            # listed.
            json.dumps(
                catalog.catalogue(OpenYear.of(Plan.objects.issued().order_by("-year")), exists),
                ensure_ascii=False,
                indent=1,
                cls=DjangoJSONEncoder,
            ),
            encoding="utf-8",
        )
        closed = "、".join(f"{year}Q{q}" for q in found.closed) or "无"
        count = len(DATASETS)
        self.stdout.write(
            f"已写出{year}年开放数据 {count} 个数据集到 {directory}（已锁定：{closed}）。"
        )
