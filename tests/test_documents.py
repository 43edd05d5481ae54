"""core.documents: checked by content, stored under the portal's names, served with the detected type."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import ApplicationDocument
from core import documents
from projects.models import ProjectDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def zipped(**parts) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


KINDS = {
    "pdf": (PDF, documents.PDF),
    "png": (PNG, documents.PNG),
    "jpeg": (JPEG, documents.JPEG),
    "docx": (zipped(**{"[Content_Types].xml": "<x/>", "word__document.xml": "<w/>"}), documents.DOCX),
    "xlsx": (zipped(**{"[Content_Types].xml": "<x/>", "xl__workbook.xml": "<w/>"}), documents.XLSX),
    "pptx": (zipped(**{"[Content_Types].xml": "<x/>", "ppt__presentation.xml": "<p/>"}), documents.PPTX),
    "odt": (zipped(mimetype=documents.ODT, content="<c/>"), documents.ODT),
    "ods": (zipped(mimetype=documents.ODS, content="<c/>"), documents.ODS),
    "txt": ("План работ на 2027 год\n".encode(), documents.TEXT),
}


@pytest.mark.parametrize("kind", KINDS)
def test_it_recognises_each_kind_by_its_content(kind):
    content, expected = KINDS[kind]
    assert documents.sniff(SimpleUploadedFile("whatever.bin", content)) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # an executable
        b"<html><script>alert(1)</script>",  # text, but only projects take text
        zipped(**{"evil.sh": "rm -rf /"}),  # a ZIP that is no office document
        zipped(mimetype="application/epub+zip"),
        b"PK\x03\x04broken",
    ],
)
def test_an_application_refuses_anything_else_whatever_its_name(content):
    with pytest.raises(ValidationError) as error:
        documents.check_uploads([SimpleUploadedFile("устав.pdf", content)], ApplicationDocument.POLICY)
    assert error.value.error_list[0].code == "bad_type"


def test_a_project_takes_plain_text_but_not_binary_noise():
    checked = documents.check_uploads([SimpleUploadedFile("notes.md", KINDS["txt"][0])], ProjectDocument.POLICY)
    assert checked[0].extension == "txt"
    with pytest.raises(ValidationError):
        documents.check_uploads([SimpleUploadedFile("notes.txt", b"\x00\x01\x02")], ProjectDocument.POLICY)


def test_it_caps_the_size_and_the_number_of_files():
    policy = documents.DocumentPolicy(types=(documents.PDF,), max_size=10, max_count=2)
    with pytest.raises(ValidationError) as error:
        documents.check_uploads([SimpleUploadedFile("big.pdf", PDF + b"0" * 10)], policy)
    assert error.value.error_list[0].code == "too_large"
    with pytest.raises(ValidationError) as error:
        documents.check_uploads([SimpleUploadedFile("a.pdf", b"%PDF-")], policy, already_attached=2)
    assert error.value.error_list[0].code == "too_many"
    with pytest.raises(ValidationError) as error:
        documents.check_uploads([SimpleUploadedFile("empty.pdf", b"")], policy)
    assert error.value.error_list[0].code == "empty"


@pytest.mark.parametrize(
    "original,extension,expected",
    [
        ("report.html", "pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "pdf", "invoicefdp.pdf"),
        ("../../etc/passwd", "txt", "passwd.txt"),
        ("C:\\Users\\a\\Устав.PDF", "pdf", "Устав.pdf"),
        ("...", "png", "document.png"),
        ("line\nbreak.docx", "docx", "linebreak.docx"),
        ('a"b;c<d>.pdf', "pdf", "a_b_c_d_.pdf"),
        ("  отчёт   за  год .html", "pdf", "отчёт за год.pdf"),
    ],
)
def test_the_download_name_keeps_the_stem_and_takes_the_detected_extension(original, extension, expected):
    assert documents.download_name(original, extension) == expected


def test_it_stores_under_its_own_name_and_serves_with_the_detected_type(client, world):
    upload = SimpleUploadedFile("report.html", PDF, content_type="text/html")
    (checked,) = documents.check_uploads([upload], ApplicationDocument.POLICY)
    document = ApplicationDocument(application=world.application)
    document.store(checked, user=world.alice)
    assert document.file.name.startswith(f"applications/{world.application.pk}/")
    assert document.file.name.endswith(".pdf") and "report" not in document.file.name
    assert (document.content_type, document.size, document.uploaded_by) == ("application/pdf", len(PDF), world.alice)
    assert len(document.sha256) == 64
    client.force_login(world.carol)
    response = client.get(reverse("applications:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_a_download_is_named_safely_in_both_header_forms(client, world):
    """Finding 6: the detected extension, no bidirectional override, RFC 5987 for Cyrillic, nosniff."""
    for original, expected in (("invoice\u202efdp.exe", "invoicefdp.pdf"), ("Устав.html", "Устав.pdf")):
        (checked,) = documents.check_uploads([SimpleUploadedFile(original, PDF)], ApplicationDocument.POLICY)
        document = ApplicationDocument(application=world.application)
        document.store(checked, user=world.alice)
        client.force_login(world.alice)
        response = client.get(reverse("applications:document-download", args=[document.pk]))
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        if expected.isascii():
            assert f'filename="{expected}"' in disposition
        else:
            assert f"filename*=utf-8''{quote(expected)}" in disposition
        assert "\u202e" not in disposition and ".exe" not in disposition and ".html" not in disposition
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_missing_file_answers_404(client, world):
    (checked,) = documents.check_uploads([SimpleUploadedFile("a.pdf", PDF)], ApplicationDocument.POLICY)
    document = ApplicationDocument(application=world.application)
    document.store(checked, user=world.alice)
    document.file.delete(save=False)
    client.force_login(world.alice)
    assert client.get(reverse("applications:document-download", args=[document.pk])).status_code == 404


def test_a_removed_document_leaves_its_file_until_the_transaction_commits(world, django_capture_on_commit_callbacks):
    world.application.status = "draft"
    (checked,) = documents.check_uploads([SimpleUploadedFile("a.pdf", PDF)], ApplicationDocument.POLICY)
    document = ApplicationDocument(application=world.application)
    document.store(checked, user=world.alice)
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document.delete_with_file()
    assert storage.exists(name)
    for callback in callbacks:
        callback()
    assert not storage.exists(name)
