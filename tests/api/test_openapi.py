"""The API is described by a valid OpenAPI 3.1 document, and its page renders it offline."""

import json

from openapi_spec_validator import validate


def test_the_openapi_document_is_valid_3_1_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    document = response.json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert sorted(document["paths"]) == [
        "/api/v1/plans",
        "/api/v1/plans/{year}",
        "/api/v1/plans/{year}/bulletins",
        "/api/v1/plans/{year}/figures",
        "/api/v1/plans/{year}/problems",
        "/api/v1/plans/{year}/projects",
        "/api/v1/plans/{year}/projects/{project_id}",
        "/api/v1/plans/{year}/tasks",
        "/api/v1/plans/{year}/tasks/{code}",
    ]
    assert document["components"]["securitySchemes"]["KeyOrPublic"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    settings_json = page.split('id="swagger-settings">')[1].split("</script>")[0]
    assert json.loads(settings_json)["url"] == "/api/v1/openapi.json"
