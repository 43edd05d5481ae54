"""Uploaded documents, one way for every part of the portal (applications, projects).

1. **Checked by content, never by name or the browser's word**: `check_uploads` reads the bytes and
   recognises PDF, Office Open XML (DOCX, XLSX, PPTX), OpenDocument (ODT, ODS), PNG, JPEG and plain
   UTF-8 text; each use accepts its own subset (`DocumentPolicy`), with a size cap per file and a
   cap on the number of files.
2. **Stored under a name the portal chooses**: `<folder>/<owner id>/<random>.<detected extension>`,
   outside any public URL (`MEDIA_URL` is served by nothing); the original name is kept for display.
3. **Served only through a permission-checked view** with `serve`: as an attachment, with the
   detected type and a download name made of the original stem and the *detected* extension
   (control and bidirectional characters removed), never cached by shared caches.
4. **Scanned for viruses when clamd is configured** (`CLAMD_SOCKET` or `CLAMD_HOST`): an infected
   file is refused, and so is every file while clamd does not answer (fail safe).
"""

import hashlib
import logging
import socket
import struct
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"

# Content type → (stored extension, name shown to users, `accept` hints of the file input).
KINDS = {
    PDF: ("pdf", "PDF", (".pdf", PDF)),
    DOCX: ("docx", "DOCX", (".docx",)),
    XLSX: ("xlsx", "XLSX", (".xlsx",)),
    PPTX: ("pptx", "PPTX", (".pptx",)),
    ODT: ("odt", "ODT", (".odt",)),
    ODS: ("ods", "ODS", (".ods",)),
    PNG: ("png", "PNG", (".png", PNG)),
    JPEG: ("jpg", "JPEG", (".jpg", ".jpeg", JPEG)),
    TEXT: ("txt", "TXT", (".txt",)),
}
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
SNIFF_BYTES = 8192

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPolicy:
    """What one use of documents accepts."""

    types: tuple[str, ...]
    max_size: int = 10 * 1024 * 1024
    max_count: int = 1

    @property
    def type_names(self) -> str:
        return ", ".join(KINDS[t][1] for t in self.types)

    @property
    def accept(self) -> str:
        """The `accept` attribute of the file input: a hint to the browser; the server decides."""
        return ",".join(hint for t in self.types for hint in KINDS[t][2])

    def help_text(self) -> str:
        if self.max_count > 1:
            return ngettext(
                "Up to %(count)s file, %(size)s each: %(types)s.",
                "Up to %(count)s files, %(size)s each: %(types)s.",
                self.max_count,
            ) % {
                "count": self.max_count,
                "size": filesizeformat(self.max_size),
                "types": self.type_names,
            }
        return _("One file up to %(size)s: %(types)s.") % {
            "size": filesizeformat(self.max_size),
            "types": self.type_names,
        }


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file whose type was recognised from its content."""

    upload: object
    content_type: str

    @property
    def name(self) -> str:
        return self.upload.name

    @property
    def extension(self) -> str:
        return KINDS[self.content_type][0]


def _zip_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        for prefix, content_type in OOXML_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return content_type
    return None


def _is_text(head: bytes) -> bool:
    """UTF-8 text without control characters other than tabs and line breaks."""
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def sniff(upload) -> str | None:
    """The content type of a document judged from its bytes, or None when it is none of KINDS."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    if _is_text(head):
        return TEXT
    return None


# Virus check (optional): clamd's INSTREAM command, when CLAMD_SOCKET or CLAMD_HOST is set.
# A client of our own, 40 lines of a documented protocol, rather than the `clamd` package (last
# released in 2014). Fail safe: when clamd is configured but does not answer, uploads are refused.


class ScannerUnavailable(Exception):
    """clamd is configured but did not give a verdict (down, timed out, or answered an error)."""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _clamd_connection() -> socket.socket:
    if settings.CLAMD_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(settings.CLAMD_TIMEOUT)
        connection.connect(settings.CLAMD_SOCKET)
        return connection
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=settings.CLAMD_TIMEOUT)


def virus_found(upload) -> str | None:
    """The name clamd gives the virus in `upload`, or None when it found none.

    INSTREAM: the command, then the bytes in chunks each prefixed by its length (4 bytes, network
    order), then a zero length; clamd answers `stream: OK` or `stream: <name> FOUND`.
    """
    try:
        with _clamd_connection() as connection:
            connection.sendall(b"zINSTREAM\0")
            upload.seek(0)
            for chunk in upload.chunks(64 * 1024):
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = connection.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    finally:
        upload.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer == "stream: OK":
        return None
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return answer.removeprefix("stream: ").removesuffix(" FOUND")
    raise ScannerUnavailable(answer or "no answer")


def _virus_check(upload) -> ValidationError | None:
    if not scanner_configured():
        return None
    try:
        found = virus_found(upload)
    except ScannerUnavailable as exc:
        logger.error("clamd gave no verdict on an upload: %s", exc)
        return ValidationError(
            _(
                "%(name)s: the antivirus check is not available right now, so the file was not accepted. Try again later."
            ),
            code="scanner_unavailable",
            params={"name": upload.name},
        )
    if found:
        logger.warning("clamd found %s in an upload (%s bytes)", found, upload.size)
        return ValidationError(
            _("%(name)s: the file did not pass the antivirus check."), code="infected", params={"name": upload.name}
        )
    return None


def check_uploads(files, policy: DocumentPolicy, *, already_attached: int = 0) -> list[CheckedUpload]:
    """Validate uploads against the policy; every refusal names the file and the rule broken."""
    errors = []
    checked = []
    if policy.max_count > 1 and already_attached + len(files) > policy.max_count:
        errors.append(
            ValidationError(
                ngettext_lazy(
                    "At most %(max)s file per application (%(attached)s already attached).",
                    "At most %(max)s files per application (%(attached)s already attached).",
                    "max",
                ),
                code="too_many",
                params={"max": policy.max_count, "attached": already_attached},
            )
        )
    for upload in files:
        if upload.size == 0:
            errors.append(
                ValidationError(_("%(name)s: the file is empty."), code="empty", params={"name": upload.name})
            )
            continue
        if upload.size > policy.max_size:
            errors.append(
                ValidationError(
                    _("%(name)s: the file is %(size)s; the limit is %(max)s per file."),
                    code="too_large",
                    params={
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "max": filesizeformat(policy.max_size),
                    },
                )
            )
            continue
        virus_error = _virus_check(upload)
        if virus_error is not None:
            errors.append(virus_error)
            continue
        content_type = sniff(upload)
        if content_type not in policy.types:
            errors.append(
                ValidationError(
                    _("%(name)s: the content is not one of the accepted types (%(types)s), whatever its name says."),
                    code="bad_type",
                    params={"name": upload.name, "types": policy.type_names},
                )
            )
            continue
        checked.append(CheckedUpload(upload=upload, content_type=content_type))
    if errors:
        raise ValidationError(errors)
    return checked


# Forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Files checked by content against a policy; cleans to a list of CheckedUpload.

    `already_attached` (set by the form) counts the documents the owner has already.
    """

    def __init__(self, *, policy: DocumentPolicy, **kwargs):
        self.policy = policy
        self.already_attached = 0
        multiple = policy.max_count > 1
        widget = MultipleFileInput if multiple else forms.ClearableFileInput
        kwargs.setdefault("widget", widget(attrs={"accept": policy.accept}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", lazy(policy.help_text, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return check_uploads(files, self.policy, already_attached=self.already_attached)


# Models


def document_path(instance, filename: str) -> str:
    """`<folder>/<owner id>/<random>.<extension>`: the extension is the one detected on upload."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{instance.storage_folder}/{instance.owner_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A stored upload. Subclasses add the owner's foreign key, named by `owner_field`, and `storage_folder`."""

    owner_field = ""
    storage_folder = "documents"

    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    @property
    def owner_id(self):
        return getattr(self, f"{self.owner_field}_id")

    @property
    def extension(self) -> str:
        return KINDS.get(self.content_type, ("bin",))[0]

    @property
    def download_name(self) -> str:
        return download_name(self.original_name, self.extension)

    def store(self, checked: CheckedUpload, *, user) -> None:
        """Fill in the file and its facts from a checked upload and save the row."""
        upload = checked.upload
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        self.original_name = clean_name(upload.name)[:255] or f"document.{checked.extension}"
        self.content_type = checked.content_type
        self.size = upload.size
        self.sha256 = digest.hexdigest()
        self.uploaded_by = user
        self.file.save(f"document.{checked.extension}", File(upload), save=False)
        self.save()

    def delete_with_file(self) -> None:
        """Delete the row now and the file once the transaction commits (a rollback keeps both)."""
        self.delete()
        file = self.file
        transaction.on_commit(lambda: file.delete(save=False))


# Characters Windows refuses in a file name, and quotes that confuse naive header parsers.
UNSAFE_NAME_CHARACTERS = str.maketrans({ch: "_" for ch in '<>:"/\\|?*;'})


def clean_name(name: str) -> str:
    """A file name without folders, control characters or bidirectional overrides."""
    name = PurePath(name.replace("\\", "/")).name
    return "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf")).strip()


def download_name(original_name: str, extension: str) -> str:
    """The original stem made safe, and the *detected* extension: `report.html` (a PDF) → `report.pdf`."""
    stem = PurePath(clean_name(original_name)).stem.translate(UNSAFE_NAME_CHARACTERS)
    stem = " ".join(stem.split()).strip(". ") or "document"
    return f"{stem[:200]}.{extension}"


def serve(document: Document) -> FileResponse:
    """The document as an attachment; the caller has checked that the user may see it."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.download_name, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    # Never let a browser second-guess the type (SecurityMiddleware sets it too; a download must not depend on it).
    response["X-Content-Type-Options"] = "nosniff"
    return response
