"""Checks for uploaded files: type by content (never by name), size, and
images re-encoded so EXIF and GPS data never reach the disk.

Images are measured before they are decoded: Pillow's `Image.open` reads only the
header, so a picture whose header claims more than `LIAISON_MAX_IMAGE_PIXELS` is
refused without a byte of it being unpacked (a 17.5 KB PNG can claim 12000×12000
pixels and take 700 MB to decode). `Image.MAX_IMAGE_PIXELS` is set to the same
cap in `LiaisonConfig.ready`, so any other Pillow use (Django's `ImageField`)
refuses twice the cap on its own; model forms take `ImageField` below for their
photo fields, so that those say why too.
"""

import io
import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_SIDE = 2000

DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
}


# Shown in the browser when the bytes are this image; every other file is a download.
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png"}


def file_response(handle, *, content_type: str, filename: str) -> FileResponse:
    """A stored upload for the browser: inline only an image whose bytes are that image.

    Anything else (a PDF, an Office file, a PDF that is also HTML) is sent as a download
    (`Content-Disposition: attachment`) under one of the types we accept (`DOCUMENT_TYPES`,
    as sniffed on upload) or `application/octet-stream`; `nosniff` keeps the browser from
    guessing otherwise.
    """
    inline = content_type in INLINE_IMAGE_TYPES and sniff_content_type(handle) == content_type
    response = FileResponse(
        handle,
        # The stored type was sniffed from the bytes on upload; anything else is plain bytes.
        content_type=content_type if content_type in DOCUMENT_TYPES else "application/octet-stream",
        as_attachment=not inline,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def check_size(upload, limit=None):
    limit = limit or settings.LIAISON_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )


def sniff_content_type(upload) -> str | None:
    """The type the bytes say the file is, or None when it is none we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(upload).namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def clean_document(upload) -> tuple[object, str]:
    """Validate a document; returns the (possibly re-encoded) file and its content type."""
    check_size(upload)
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(_("This file type is not accepted. Upload a PDF, Word, Excel, JPEG or PNG file."))
    if content_type.startswith("image/"):
        return clean_image(upload), "image/jpeg"
    return upload, content_type


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels; the limit is %(limit)s million. Make it smaller and upload it again.")
        % {"limit": f"{settings.LIAISON_MAX_IMAGE_PIXELS / 1_000_000:g}"}
    )


def check_pixels(image: Image.Image) -> None:
    """Refuse an opened (not yet decoded) image whose header claims too many pixels."""
    width, height = image.size
    if width * height > settings.LIAISON_MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def clean_image(upload) -> SimpleUploadedFile:
    """Re-encode an image as JPEG: proves it is an image, drops EXIF/GPS, caps its size.

    The pixel count is checked from the header before anything is decoded (`check_pixels`).
    """
    check_size(upload)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            check_pixels(probe)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            check_pixels(img)
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that is still large enough.
            img.draft("RGB", (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)
    except Image.DecompressionBombError:  # Image.open's own check, at twice the cap
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a valid image. Upload a JPEG or PNG photo.")) from None
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


class ImageField(forms.ImageField):
    """Django's image form field, measuring the image from its header before Django opens it.

    Django's own check turns Pillow's bomb error into "not a valid image"; this one says why.
    """

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):
            try:
                data.seek(0)
                with Image.open(data) as probe:
                    check_pixels(probe)
            except Image.DecompressionBombError:
                raise _too_many_pixels() from None
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
                pass  # not an image: Django's check below says so
            finally:
                data.seek(0)
        return super().to_python(data)
