"""The optional virus check of uploads (core/documents.py) against a real clamd, and its failures.

clamd finds the EICAR test file only through a signature database, and the machine has no internet
for `freshclam`: the fixture writes a database of one signature (the EICAR string, anywhere in a
file), starts clamd on a unix socket in a temporary folder, and stops it afterwards.
"""

import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import documents
from projects.models import ProjectDocument

from .conftest import missing_service

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INFECTED_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A clamd of Debian's clamav-daemon with a one-signature database, on a unix socket."""
    if not shutil.which(CLAMD):
        missing_service("clamd not found (apt-get install clamav-daemon)")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    (folder / "db" / "portal-test.ndb").write_text(f"Portal-Test-EICAR:0:*:{EICAR.hex()}\n")
    sock = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\nTemporaryDirectory {folder}\nStreamMaxLength 20M\n"
    )
    process = subprocess.Popen(  # nosec B603 - a fixed binary and our own config
        [CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(150):
            if sock.exists():
                break
            if process.poll() is not None:
                pytest.fail(f"clamd stopped: {(folder / 'clamd.log').read_text()}")
            time.sleep(0.1)
        else:
            pytest.fail("clamd did not open its socket in 15 s")
        yield str(sock)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def scanning(clamd, settings):
    settings.CLAMD_SOCKET = clamd
    settings.CLAMD_HOST = ""
    return clamd


def upload_document(client, world, content: bytes, name: str = "plan.pdf"):
    client.force_login(world.bob)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post("/projects/pellet/documents/add/", {"title": "План", "file": upload})


@pytest.mark.clamav
@pytest.mark.django_db
def test_an_infected_upload_is_refused_and_a_clean_one_kept(client, world, scanning):
    refused = upload_document(client, world, INFECTED_PDF, "eicar.pdf")
    assert refused.status_code == 200
    assert "eicar.pdf: файл не прошёл проверку антивирусом." in refused.context["form"].errors["file"]
    assert not ProjectDocument.objects.exists()
    assert upload_document(client, world, CLEAN_PDF).status_code == 302
    assert ProjectDocument.objects.count() == 1


@pytest.mark.clamav
def test_it_reads_clamds_verdicts(scanning):
    assert documents.virus_found(SimpleUploadedFile("a.pdf", CLEAN_PDF)) is None
    assert documents.virus_found(SimpleUploadedFile("a.txt", EICAR)) == "Portal-Test-EICAR.UNOFFICIAL"


@pytest.mark.django_db
def test_when_clamd_does_not_answer_uploads_are_refused(client, world, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    response = upload_document(client, world, CLEAN_PDF)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "антивирус" in error and "недоступна" in error
    assert not ProjectDocument.objects.exists()


def test_without_clamd_configured_nothing_is_scanned(settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    (checked,) = documents.check_uploads([SimpleUploadedFile("a.txt", EICAR)], ProjectDocument.POLICY)
    assert checked.content_type == documents.TEXT


def one_answer_server(reply: bytes) -> int:
    """A TCP server on loopback that reads one request and answers `reply`; its port."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer():
        with server, server.accept()[0] as connection:
            connection.settimeout(5)
            received = b""
            while len(received) < len(b"zINSTREAM\0") + 4 + len(CLEAN_PDF) + 4:
                received += connection.recv(65536)
            connection.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    return server.getsockname()[1]


def test_clamd_over_tcp_and_its_error_answers(settings):
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = one_answer_server(b"stream: OK\0")
    assert documents.virus_found(SimpleUploadedFile("a.pdf", CLEAN_PDF)) is None
    settings.CLAMD_PORT = one_answer_server(b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(documents.ScannerUnavailable, match="size limit"):
        documents.virus_found(SimpleUploadedFile("a.pdf", CLEAN_PDF))
