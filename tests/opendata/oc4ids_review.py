"""Open Contracting's review library (libcoveoc4ids) run against a local copy of the OC4IDS
0.9.5 schema, with no network: libcove fetches the schema, its references and every codelist
through `libcove.lib.common.get_request`, which reads only URLs; this answers them from the
copy, and fails loudly for anything else (libcove would silently skip a codelist it cannot
fetch)."""

import json
from pathlib import Path
from unittest import mock

SCHEMA_HOST = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/"
CODELISTS = (
    "https://raw.githubusercontent.com/open-contracting/infrastructure/0__9__5/schema/"
    "project-level/codelists/"
)


class Answer:
    status_code = 200

    def __init__(self, path: Path) -> None:
        self.content = path.read_bytes()
        self.text = self.content.decode("utf-8")

    def json(self, **kwargs):
        return json.loads(self.text, **kwargs)

    def iter_lines(self):
        return iter(self.content.splitlines())

    def raise_for_status(self) -> None:
        pass


def review(data: dict, schema_dir: str, output_dir: Path) -> dict:
    import pytest

    api = pytest.importorskip("libcoveoc4ids.api")
    config = pytest.importorskip("libcoveoc4ids.config")
    folders = {SCHEMA_HOST: Path(schema_dir), CODELISTS: Path(schema_dir) / "codelists"}

    def local(url, config=None, force_cache=False):
        for prefix, folder in folders.items():
            name = url.removeprefix(prefix)
            if name != url and "/" not in name and (folder / name).is_file():
                return Answer(folder / name)
        raise FileNotFoundError(f"not in the schema copy: {url}")

    settings = config.LibCoveOC4IDSConfig(
        {
            "schema_version": "0.9.5",
            "schema_version_choices": {"0.9.5": ("0.9.5", SCHEMA_HOST)},
            "schema_host": SCHEMA_HOST,
            "schema_codelists": {"0.9": CODELISTS},
            "cache_all_requests": False,
        }
    )
    with mock.patch("libcove.lib.common.get_request", local):
        return api.oc4ids_json_output(
            str(output_dir), json_data=data, lib_cove_oc4ids_config=settings
        )
