import pytest

from tests.builders import make_area, make_plan, make_task


@pytest.fixture
def kept_pages(settings, zhengzhou):
    """Pages, figures and signed-in users kept, and a plan with one task to draw."""
    settings.ROLLUP_CACHE_SECONDS = 600
    make_task(make_area(make_plan()), 1, "100", [zhengzhou])
