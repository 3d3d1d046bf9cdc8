"""Pages and data travel gzipped to a client that accepts it; files compressed already do not."""

import gzip
import re

import pytest

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def signed_in(client, office):
    client.force_login(office)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def without_token(page: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode())


def test_a_page_is_gzipped_and_unpacks_to_the_same_page(client, sample_world):
    plain = client.get("/2021/")
    packed = client.get("/2021/", headers=GZIP)

    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    # The same page but for its CSRF token, masked afresh in every answer.
    assert without_token(gzip.decompress(packed.content)) == without_token(plain.content)


def test_a_streamed_csv_is_gzipped_too(client, sample_world):
    plain = client.get("/2021/reports.csv")
    packed = client.get("/2021/reports.csv", headers=GZIP)

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(packed)) == body(plain)


def test_a_workbook_is_sent_as_it_is(client, sample_world):
    response = client.get("/2021/export.xlsx", headers=GZIP)

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert body(response)[:2] == b"PK"


def test_a_client_that_does_not_ask_gets_it_plain(client, sample_world):
    assert "Content-Encoding" not in client.get("/2021/")
