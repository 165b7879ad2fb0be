"""Handing out an event document's file (the media storage is not served): the views check who may
have it first (``services.documents``)."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from reallabor.events.models import EventDocument


def file_response(document: EventDocument) -> FileResponse:
    """The document's file as a download (404 when the file is gone from the storage)."""
    name = PurePath(document.file.name or "").name or "dokument"
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing.")) from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
