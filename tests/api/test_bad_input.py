"""Every bad request gets a JSON error in Chinese with the right status, and nothing slow."""

import pytest
from django.core.cache import cache

from people.models import ApiKey
from tests.api.conftest import bearer, key_for
from tests.builders import make_world

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def world(zhengzhou, kaifeng):
    return make_world(zhengzhou, kaifeng)


def refused(client, url: str, headers: dict, status: int) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/api/v1/plans/2021/tasks?page=0", 400, "参数“page”：数值过小。"),
        ("/api/v1/plans/2021/tasks?page=1000000000", 400, "参数“page”：数值过大。"),
        ("/api/v1/plans/2021/tasks?page=2", 404, "第2页不存在：共1页。"),
        ("/api/v1/plans/2021/tasks?page_size=1000000", 400, "参数“page_size”：数值过大。"),
        ("/api/v1/plans/2021/tasks?page=abc", 400, "参数“page”：应为整数。"),
        ("/api/v1/plans/2021/figures?approved=maybe", 400, "参数“approved”：应为 true 或 false。"),
        (
            "/api/v1/plans/2021/figures?as_of=2020Q1",
            400,
            "“2020Q1”不是2021年工作要点的季度，请选择2021Q1至2021Q4之一。",
        ),
        ("/api/v1/plans/2021/figures?as_of=2021Q3x", 400, "参数“as_of”：过长。"),
        ("/api/v1/plans/2021/figures?colour=red", 400, "未知参数“colour”。"),
        ("/api/v1/plans/2021/figures?as_of=2021Q1&as_of=2021Q2", 400, "参数“as_of”重复出现。"),
        ("/api/v1/plans/2021/figures?as_of=2021%00", 400, "地址中含有控制字符。"),
        ("/api/v1/plans/2021/projects?city=%00", 400, "地址中含有控制字符。"),
        ("/api/v1/plans/2021/projects?goal=finish", 400, "参数“goal”：不是允许的取值。"),
        ("/api/v1/plans/2021/projects?unit=99999999999", 400, "参数“unit”：数值过大。"),
        ("/api/v1/plans/2021/projects/99999999999", 404, "2021年工作要点中没有该重点项目。"),
        ("/api/v1/plans/99999999999999999999", 404, "没有可读的99999999999999999999年工作要点。"),
        ("/api/v1/plans/2021/tasks/%00", 404, "未找到。"),
        (
            "/api/v1/plans/2021/figures?api_key=zzm_x",
            400,
            "API 密钥只能放在 Authorization 请求头中发送，不能写在地址里。",
        ),
    ],
)
def test_a_bad_request_is_refused_in_chinese(client, leader, url, status, detail):
    assert refused(client, url, bearer(key_for(leader)), status) == detail


class TestKeys:
    def test_none_is_refused_while_the_dashboard_is_not_public(self, client):
        assert refused(client, "/api/v1/plans", {}, 401).startswith("本接口需要密钥")

    def test_a_malformed_one_is_refused(self, client):
        for header in ("Bearer", "Bearer zzm_", "Basic abc", "Bearer " + "x" * 5000):
            assert refused(client, "/api/v1/plans", {"Authorization": header}, 401) in (
                "API 密钥无效。",
                "请以 Authorization: Bearer <密钥> 的形式发送密钥。",
            )

    def test_a_changed_one_is_refused(self, client, leader):
        secret = key_for(leader)
        forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        assert refused(client, "/api/v1/plans", bearer(forged), 401) == "API 密钥无效。"

    def test_an_expired_one_is_refused_with_its_day(self, client, leader):
        from datetime import date

        secret = key_for(leader, expires_on=date(2021, 6, 30))
        detail = refused(client, "/api/v1/plans", bearer(secret), 401)
        assert detail == "API 密钥已于2021-06-30过期。"

    def test_a_revoked_one_is_refused(self, client, leader, office):
        from django.utils import timezone

        secret = key_for(leader)
        assert ApiKey.objects.get().revoke(office, timezone.now())
        assert refused(client, "/api/v1/plans", bearer(secret), 401) == "API 密钥已被吊销。"

    def test_a_deactivated_owners_one_is_refused(self, client, leader):
        secret = key_for(leader)
        leader.is_active = False
        leader.save()
        detail = refused(client, "/api/v1/plans", bearer(secret), 401)
        assert detail == "API 密钥所属账号已停用。"

    def test_its_use_is_noted(self, client, leader):
        secret = key_for(leader)
        assert client.get("/api/v1/plans", headers=bearer(secret)).status_code == 200
        assert ApiKey.objects.get().last_used_at is not None


def test_a_key_over_its_rate_gets_a_429_with_retry_after(client, leader, settings):
    settings.API_RATE = "5/m"
    cache.clear()
    headers = bearer(key_for(leader))
    statuses = [client.get("/api/v1/plans", headers=headers).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    response = client.get("/api/v1/plans", headers=headers)
    assert response.json() == {"detail": "该密钥的请求过于频繁，请稍候一分钟再试。"}
    assert 0 < int(response["Retry-After"]) <= 60
    # Another key is not slowed by this one.
    assert client.get("/api/v1/plans", headers=bearer(key_for(leader, "另一个"))).status_code == 200
