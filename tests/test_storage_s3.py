"""Uploads on S3-compatible storage, so several web machines share them (docs/deployment.md).

Runs against moto's S3 server on loopback, the same wire protocol as MinIO or a cloud bucket.
"""

import socket

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from applications.models import ApplicationDocument
from core import documents

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
BUCKET = "portal-documents"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint):
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "location": "documents",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    for key in objects(client):
        client.delete_object(Bucket=BUCKET, Key=key)
    with override_settings(STORAGES=storages):
        yield client


def objects(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_document_is_stored_in_the_bucket_and_served_by_the_portal(client, world, s3_storage):
    (checked,) = documents.check_uploads([SimpleUploadedFile("Смета.pdf", PDF)], ApplicationDocument.POLICY)
    document = ApplicationDocument(application=world.application)
    document.store(checked, user=world.alice)

    keys = objects(s3_storage)
    assert keys == [f"documents/{document.file.name}"]
    assert s3_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == PDF
    # The bucket is private: no anonymous read.
    acl = s3_storage.get_object_acl(Bucket=BUCKET, Key=keys[0])
    assert all(grant["Grantee"].get("URI", "").endswith("AllUsers") is False for grant in acl["Grants"])

    client.force_login(world.alice)
    response = client.get(reverse("applications:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_removed_document_leaves_the_bucket_once_committed(world, s3_storage, django_capture_on_commit_callbacks):
    (checked,) = documents.check_uploads([SimpleUploadedFile("plan.pdf", PDF)], ApplicationDocument.POLICY)
    document = ApplicationDocument(application=world.application)
    document.store(checked, user=world.alice)
    assert len(objects(s3_storage)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        document.delete_with_file()
    assert objects(s3_storage) == []
