"""The shell's own small views."""

import time


def test_keepalive_says_204_while_signed_in_and_renews_the_session(client, django_user_model):
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    client.force_login(user)
    response = client.get("/session/keepalive")
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert time.time() - client.session["_renewed"] < 5  # Renewed by this very request.


def test_keepalive_says_401_once_the_sign_in_is_gone(client):
    response = client.get("/session/keepalive")
    assert (response.status_code, response.content) == (401, b"")
