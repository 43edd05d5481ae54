import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/associations/", "/projects/"])
def test_it_renders_public_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
