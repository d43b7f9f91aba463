"""Files that survive a form error.

A browser forgets a file input when the page comes back with an error, so every
good file of a POST is checked and stored at once (`StagedUpload`), and the page
carries its token in a hidden `staged` input. The person sees "already uploaded:
photo.jpg" and never uploads it twice; a bad file gets its own message. Tokens
are bound to the session, so nobody can claim another person's file.

    stage = FileStage(request)
    stage.process()          # stores new files, drops removed ones
    stage.staged, stage.errors
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from petitions.ledger.services import staged_upload_store, staged_uploads


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def session_key(request) -> str:
    """The session's key, creating the session for a visitor who has none yet."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


class FileStage:
    def __init__(self, request, *, field: str = "files", max_files: int | None = None):
        self.request = request
        self.field = field
        self.max_files = max_files or settings.LIAISON_PETITION_MAX_FILES
        self.staged = []
        self.errors: list[str] = []

    @property
    def owner_key(self) -> str:
        return session_key(self.request)

    def process(self) -> "FileStage":
        post = self.request.POST
        removed = set(post.getlist("unstage"))
        tokens = [t for t in post.getlist("staged") if t not in removed]
        self.staged = staged_uploads(owner_key=self.owner_key, tokens=tokens)
        for upload in self.request.FILES.getlist(self.field):
            if len(self.staged) >= self.max_files:
                self.errors.append(
                    _("At most %(n)s files per item; %(name)s was not added.")
                    % {"n": self.max_files, "name": upload.name}
                )
                continue
            try:
                self.staged.append(staged_upload_store(owner_key=self.owner_key, upload=upload))
            except ValidationError as exc:
                self.errors.append(f"{upload.name}: {' '.join(exc.messages)}")
        return self

    @property
    def tokens(self) -> list[str]:
        return [s.token for s in self.staged]
