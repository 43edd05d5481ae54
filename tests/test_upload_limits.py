"""Finding 7: a body larger than REQUEST_BODY_MAX_SIZE is refused with 413 before it is read."""

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.test import RequestFactory

from cluster_portal.security import BodySizeLimitMiddleware

MiB = 1024 * 1024
BOUNDARY = "portalboundary"


class GeneratedBody:
    """A multipart body of `size` bytes made as it is read (never held in memory); counts what was read."""

    def __init__(self, size: int):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nbig\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.head, self.tail, self.size = head, tail, size
        self.filler = size - len(head) - len(tail)
        self.position = 0

    def _byte_range(self, start: int, stop: int) -> bytes:
        parts = []
        for offset, chunk in ((0, self.head), (len(self.head) + self.filler, self.tail)):
            lo, hi = max(start, offset), min(stop, offset + len(chunk))
            if lo < hi:
                parts.append((lo, chunk[lo - offset : hi - offset]))
        lo, hi = max(start, len(self.head)), min(stop, len(self.head) + self.filler)
        if lo < hi:
            parts.append((lo, b"x" * (hi - lo)))
        return b"".join(chunk for _, chunk in sorted(parts))

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.size - self.position
        size = min(size, self.size - self.position, MiB)
        data = self._byte_range(self.position, self.position + size)
        self.position += len(data)
        return data

    def readline(self, size=-1):
        return self.read(size)


def post_generated(client, path: str, body: GeneratedBody, **extra):
    return client.generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
        **extra,
    )


def files_under(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_100_mib_upload_is_refused_before_a_byte_is_read(client, world, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    client.force_login(world.bob)
    body = GeneratedBody(100 * MiB)
    response = post_generated(client, "/projects/pellet/documents/add/", body)
    assert response.status_code == 413
    assert body.position == 0  # nothing of the body was read
    assert files_under(tmp_path) == []  # neither MEDIA_ROOT (tmp_path/media) nor the temp dir got a file
    assert not world.project.documents.exists()


@pytest.mark.django_db
def test_a_body_under_the_cap_goes_through(client, world, settings):
    settings.REQUEST_BODY_MAX_SIZE = 2 * MiB
    client.force_login(world.bob)
    upload = SimpleUploadedFile("plan.txt", "План работ".encode(), content_type="text/plain")
    response = client.post("/projects/pellet/documents/add/", {"title": "План", "file": upload})
    assert response.status_code == 302
    assert world.project.documents.count() == 1


def test_a_damaged_content_length_is_a_bad_request(client):
    response = client.generic("POST", "/csp-report/", b"", CONTENT_LENGTH="many")
    assert response.status_code == 400


def test_a_body_without_a_length_is_stopped_by_the_upload_handler_past_the_cap(settings):
    """A body whose length is not declared (chunked, or an ASGI server) is counted as it is parsed."""
    settings.REQUEST_BODY_MAX_SIZE = 1000
    request = RequestFactory().post("/x", {"file": SimpleUploadedFile("a.txt", b"x" * 5000)})
    with pytest.raises(RequestDataTooBig):
        request.POST  # noqa: B018 - parsing is what is tested
    assert request.body_too_large


def test_the_middleware_answers_413_when_the_upload_handler_stopped_a_body(settings):
    request = RequestFactory().post("/x", {"file": SimpleUploadedFile("a.txt", b"x" * 5000)})

    def view(request):
        settings.REQUEST_BODY_MAX_SIZE = 1000  # the declared length passed; the body turns out larger
        request.POST  # noqa: B018
        return HttpResponse("read")

    response = BodySizeLimitMiddleware(convert_exception_to_response(view))(request)
    assert response.status_code == 413


def test_the_import_page_has_a_larger_cap(client, settings):
    """The admin's organisation import takes files up to 50 MB (imports/admin.py): its prefix has its own cap."""
    settings.REQUEST_BODY_MAX_SIZE = 1000
    settings.REQUEST_BODY_MAX_SIZE_BY_PREFIX = {"/admin/imports/": 5000}
    body = GeneratedBody(3000)
    assert post_generated(client, "/admin/imports/importjob/add/", body).status_code != 413
    assert post_generated(client, "/projects/pellet/documents/add/", GeneratedBody(3000)).status_code == 413
    assert post_generated(client, "/admin/imports/importjob/add/", GeneratedBody(6000)).status_code == 413
