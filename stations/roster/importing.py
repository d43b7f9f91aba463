"""Roster import: read every row, validate all of them, write all or nothing."""

from itertools import batched

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.access import forget_scope
from liaison.jobs import JobRejected, JobResult, runner
from liaison.models import Jurisdiction, Role
from stations.models import ALLOWED_PARENT_KINDS, ROOT_KINDS, Membership, Representative, Station, StationKind
from stations.roster.columns import (
    LOOKUP_CHUNK,
    REPRESENTATIVE_IMPORT,
    REPRESENTATIVE_ROSTER,
    STATION_IMPORT,
    STATION_ROSTER,
    WRITE_BATCH,
    Roster,
)
from stations.roster.reading import _Errors, _read_rows

# --------------------------------------------------------------------------- import: lookups


def _by_code(queryset, codes) -> dict:
    found = {}
    for chunk in batched(codes, LOOKUP_CHUNK):
        found.update({obj.code: obj for obj in queryset.filter(code__in=chunk).order_by()})
    return found


def _existing_codes(model, codes) -> set[str]:
    found = set()
    for chunk in batched(codes, LOOKUP_CHUNK):
        found.update(model.objects.filter(code__in=chunk).order_by().values_list("code", flat=True))
    return found


def _is_station_staff(user) -> bool:
    return user.role == Role.STATION_STAFF and not user.is_system_admin


# --------------------------------------------------------------------------- import: validation


class _Import:
    """Shared steps of both importers: per-row field checks, number matching, errors."""

    roster: Roster
    jurisdiction_levels: tuple

    def __init__(self, owner, rows, present, progress):
        self.owner, self.rows, self.present, self.progress = owner, rows, present, progress
        self.errors = _Errors()
        self.col = {c.key: c for c in self.roster.columns}

    def error(self, row, key, message):
        self.errors.add(row.number, self.col[key].label if key else "", message)

    def match_numbers(self):
        """Pair each row with the visible record of its number (update) or a new instance (create)."""
        model = self.roster.model
        codes = {r.cells["code"] for r in self.rows if isinstance(r.cells.get("code"), str)}
        visible = _by_code(self.visible_queryset(), codes)
        taken = _existing_codes(model, codes - set(visible))
        first_row = {}
        for row in self.rows:
            for column, message in row.problems:
                self.error(row, column.key, message)
            for column in self.roster.columns:
                if column.required and column.key not in row.cells and column.key not in row.failed:
                    self.error(row, column.key, _("This column is required."))
            code = row.cells.get("code")
            row.instance = None
            if code is None:
                continue
            if code in first_row:
                self.error(
                    row,
                    "code",
                    _("This number appears more than once in the file (first in row %(row)s).")
                    % {"row": first_row[code]},
                )
                continue
            first_row[code] = row.number
            if code in taken:
                # Used by a record outside the owner's area: say no more than that.
                self.error(row, "code", _("This number is already in use."))
                continue
            row.instance = visible.get(code) or model(code=code)
        self.by_code = {r.cells["code"]: r for r in self.rows if r.instance is not None}

    def set_fields(self, row):
        """Copy the present simple columns onto the instance and run the model field validators."""
        instance, checked = row.instance, set()
        creating = instance.pk is None
        for key in self.present:
            column = self.col[key]
            if column.field is None or column.field == "code" or key in row.failed:
                continue
            model_field = instance._meta.get_field(column.field)
            value = row.cells.get(key)
            if value is None and column.required:
                continue  # reported as required
            if value is None:
                if column.type == "bool":
                    value = True
                elif model_field.null:
                    value = None
                else:
                    value = ""
            setattr(instance, column.field, value)
            checked.add(column.field)
        if creating:
            checked.add("code")
        exclude = [f.name for f in instance._meta.fields if f.name not in checked]
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            self.add_validation_error(row, error)
            return False
        return True

    def add_validation_error(self, row, error):
        by_field = {c.field: c.key for c in self.roster.columns if c.field}
        for name, messages in error.message_dict.items():
            key = by_field.get(name) if name != NON_FIELD_ERRORS else None
            for message in messages:
                self.error(row, key, message)

    def resolve_jurisdictions(self):
        codes = {r.cells["jurisdiction"] for r in self.rows if r.instance is not None and "jurisdiction" in r.cells}
        self.jurisdictions = _by_code(Jurisdiction.objects.visible_to(self.owner), codes)

    def set_jurisdiction(self, row):
        if "jurisdiction" not in self.present or "jurisdiction" in row.failed:
            return
        code = row.cells.get("jurisdiction")
        if code is None:
            return  # reported as required
        instance = row.instance
        if instance.pk and instance.jurisdiction.code == code:
            return  # unchanged: fine even where the owner could not choose it today
        jurisdiction = self.jurisdictions.get(code)
        if jurisdiction is None:
            self.error(row, "jurisdiction", _("No jurisdiction with this code in your area."))
        elif jurisdiction.level not in self.jurisdiction_levels:
            self.error(
                row,
                "jurisdiction",
                _("A %(level)s cannot be used here; use the code of a %(allowed)s.")
                % {
                    "level": jurisdiction.get_level_display(),
                    "allowed": " / ".join(str(Jurisdiction.Level(level).label) for level in self.jurisdiction_levels),
                },
            )
        else:
            instance.jurisdiction = jurisdiction

    def run(self) -> str:
        """Validate every row, then write all of them in one transaction, or nothing.

        Progress written during the transaction becomes visible only at its
        commit on PostgreSQL; the reading and checking phase, the long one, is
        reported live.
        """
        self.match_numbers()
        self.validate()
        self.errors.raise_if_any()
        try:
            with transaction.atomic():
                message = self.write()
        except IntegrityError:
            # Someone saved the same number or a second head while we checked the file.
            raise JobRejected(
                _("The roster changed while the file was being imported. Nothing was imported; upload the file again.")
            ) from None
        forget_scope(self.owner)
        return message

    def advance_writes(self, done):
        self.progress.advance(len(self.rows) + done)


class _StationImport(_Import):
    roster = STATION_ROSTER
    jurisdiction_levels = (Jurisdiction.Level.COUNTY, Jurisdiction.Level.TOWNSHIP, Jurisdiction.Level.COMMUNITY)

    def visible_queryset(self):
        return Station.objects.visible_to(self.owner).select_related("parent", "jurisdiction")

    def validate(self):
        live = [r for r in self.rows if r.instance is not None]
        self.resolve_jurisdictions()
        parent_codes = {r.cells["parent"] for r in live if "parent" in r.cells} - set(self.by_code)
        self.parents = _by_code(Station.objects.visible_to(self.owner), parent_codes)
        staff = _is_station_staff(self.owner)
        own = set(self.owner.staffed_stations.values_list("pk", flat=True)) if staff else set()
        for row in live:
            self.set_fields(row)
            self.set_jurisdiction(row)
        for row in live:
            self.check_parent(row, staff, own)
            self.check_location(row)

    def kind_of(self, code_or_station):
        if isinstance(code_or_station, Station):
            return code_or_station.kind
        row = self.by_code[code_or_station]
        return row.instance.kind if "kind" in row.cells else None

    def check_parent(self, row, staff, own):
        instance = row.instance
        row.parent = instance.parent if instance.pk else None  # a Station, a file code, or None
        if "parent" in self.present and "parent" not in row.failed:
            code = row.cells.get("parent")
            if code is None:
                row.parent = None
            elif code == instance.code:
                self.error(row, "parent", _("A station cannot belong to itself."))
                return
            elif code in self.by_code:
                target = self.by_code[code]
                row.parent = target.instance if target.instance.pk else code
            elif code in self.parents:
                row.parent = self.parents[code]
            elif instance.pk and instance.parent_id and instance.parent.code == code:
                pass  # unchanged
            else:
                self.error(row, "parent", _("No station with this number in your area."))
                return
        if staff and row.parent is None and instance.pk not in own:
            self.error(row, "parent", _("Station staff add stations below one of their own stations."))
            return
        if "kind" in row.failed or "kind" not in row.cells:
            return  # reported already; a guessed kind would only add noise
        if row.parent is None:
            if instance.kind not in ROOT_KINDS:
                self.error(row, "parent", _("A contact point must belong to a station or a home."))
            return
        parent_kind = self.kind_of(row.parent)
        if parent_kind is not None and parent_kind not in ALLOWED_PARENT_KINDS.get(instance.kind, set()):
            self.error(
                row,
                "parent",
                _("A %(kind)s cannot belong to a %(parent)s.")
                % {"kind": StationKind(instance.kind).label, "parent": StationKind(parent_kind).label},
            )

    def check_location(self, row):
        instance = row.instance
        if {"latitude", "longitude"} & row.failed:
            return
        if (instance.latitude is None) != (instance.longitude is None):
            self.error(row, "latitude", _("Give both latitude and longitude, or neither."))

    def write(self) -> str:
        now = timezone.now()
        rows = [r for r in self.rows if r.instance is not None]
        new = [r for r in rows if r.instance.pk is None]
        old = [r for r in rows if r.instance.pk is not None]
        done = 0
        # Parents defined in the file are created before their children (the tree is at most three deep).
        pending = new
        while pending:
            ready = [r for r in pending if not isinstance(r.parent, str) or self.by_code[r.parent].instance.pk]
            for chunk in batched(ready, WRITE_BATCH):
                for row in chunk:
                    self._link_parent(row)
                Station.objects.bulk_create([r.instance for r in chunk], batch_size=WRITE_BATCH)
                done += len(chunk)
                self.advance_writes(done)
            pending = [r for r in pending if r.instance.pk is None]
            if not ready:  # impossible after validation; never loop forever
                raise RuntimeError("unresolvable parents in station import")
        fields = [self.col[k].field for k in self.present if self.col[k].field and k != "code"]
        fields += [
            name for key, name in (("parent", "parent"), ("jurisdiction", "jurisdiction")) if key in self.present
        ]
        for chunk in batched(old, WRITE_BATCH):
            for row in chunk:
                self._link_parent(row)
                row.instance.updated_at = now
            Station.objects.bulk_update([r.instance for r in chunk], [*fields, "updated_at"], batch_size=WRITE_BATCH)
            done += len(chunk)
            self.advance_writes(done)
        return _("Import finished: %(created)s created, %(updated)s updated.") % {
            "created": len(new),
            "updated": len(old),
        }

    def _link_parent(self, row):
        parent = row.parent
        if isinstance(parent, str):
            parent = self.by_code[parent].instance
        row.instance.parent = parent


class _RepresentativeImport(_Import):
    roster = REPRESENTATIVE_ROSTER
    jurisdiction_levels = (
        Jurisdiction.Level.PROVINCE,
        Jurisdiction.Level.CITY,
        Jurisdiction.Level.COUNTY,
        Jurisdiction.Level.TOWNSHIP,
    )

    def visible_queryset(self):
        return Representative.objects.visible_to(self.owner).select_related("jurisdiction")

    def validate(self):
        live = [r for r in self.rows if r.instance is not None]
        self.resolve_jurisdictions()
        codes = set()
        for row in live:
            codes.update(row.cells.get("stations", ()), row.cells.get("head_of", ()))
        self.stations = _by_code(Station.objects.visible_to(self.owner), codes)
        head_pks = {self.stations[c].pk for r in live for c in r.cells.get("head_of", ()) if c in self.stations}
        self.current_heads = {}
        for chunk in batched(head_pks, LOOKUP_CHUNK):
            self.current_heads.update(
                Membership.objects.filter(station_id__in=chunk, role=Membership.Role.HEAD).values_list(
                    "station_id", "representative_id"
                )
            )
        staff = _is_station_staff(self.owner)
        heads_in_file = {}
        for row in live:
            if self.set_fields(row):
                try:
                    row.instance.clean()
                except ValidationError as error:
                    self.add_validation_error(row, error)
            self.set_jurisdiction(row)
            row.member_of = self.resolve_stations(row, "stations")
            row.head_of = self.resolve_stations(row, "head_of")
            for station in row.head_of:
                holder = self.current_heads.get(station.pk)
                if holder is not None and holder != row.instance.pk:
                    self.error(
                        row,
                        "head_of",
                        _("Station %(code)s already has a head. Change the head on the station's page first.")
                        % {"code": station.code},
                    )
                elif station.pk in heads_in_file:
                    self.error(
                        row,
                        "head_of",
                        _("Row %(row)s already makes another representative the head of station %(code)s.")
                        % {"row": heads_in_file[station.pk], "code": station.code},
                    )
                else:
                    heads_in_file[station.pk] = row.number
            if staff and row.instance.pk is None and not (row.member_of or row.head_of):
                self.error(row, "stations", _("Station staff attach a new representative to one of their stations."))

    def resolve_stations(self, row, key) -> list:
        found = []
        for code in row.cells.get(key, ()):
            station = self.stations.get(code)
            if station is None:
                self.error(row, key, _("No station with the number %(code)s in your area.") % {"code": code})
            elif station not in found:
                found.append(station)
        return found

    def write(self) -> str:
        now = timezone.now()
        rows = [r for r in self.rows if r.instance is not None]
        new = [r for r in rows if r.instance.pk is None]
        old = [r for r in rows if r.instance.pk is not None]
        done = 0
        for chunk in batched(new, WRITE_BATCH):
            Representative.objects.bulk_create([r.instance for r in chunk], batch_size=WRITE_BATCH)
            done += len(chunk)
            self.advance_writes(done)
        fields = [self.col[k].field for k in self.present if self.col[k].field and k != "code"]
        if "jurisdiction" in self.present:
            fields.append("jurisdiction")
        for chunk in batched(old, WRITE_BATCH):
            for row in chunk:
                row.instance.updated_at = now
            Representative.objects.bulk_update(
                [r.instance for r in chunk], [*fields, "updated_at"], batch_size=WRITE_BATCH
            )
            done += len(chunk)
            self.advance_writes(done)
        added = self._write_memberships(rows)
        return _(
            "Import finished: %(created)s created, %(updated)s updated, %(memberships)s station memberships added."
        ) % {"created": len(new), "updated": len(old), "memberships": added}

    def _write_memberships(self, rows) -> int:
        wanted = {}  # (representative id, station id) -> role
        for row in rows:
            for station in row.member_of:
                wanted.setdefault((row.instance.pk, station.pk), Membership.Role.MEMBER)
            for station in row.head_of:
                wanted[(row.instance.pk, station.pk)] = Membership.Role.HEAD
        if not wanted:
            return 0
        existing = {}
        for chunk in batched({rep for rep, _station in wanted}, LOOKUP_CHUNK):
            for pk, rep, station, role in Membership.objects.filter(representative_id__in=chunk).values_list(
                "pk", "representative_id", "station_id", "role"
            ):
                existing[(rep, station)] = (pk, role)
        create = [
            Membership(representative_id=rep, station_id=station, role=role)
            for (rep, station), role in wanted.items()
            if (rep, station) not in existing
        ]
        promote = [
            existing[key][0]
            for key, role in wanted.items()
            if role == Membership.Role.HEAD and key in existing and existing[key][1] != role
        ]
        for chunk in batched(promote, LOOKUP_CHUNK):
            Membership.objects.filter(pk__in=chunk).update(role=Membership.Role.HEAD)
        Membership.objects.bulk_create(create, batch_size=WRITE_BATCH)
        return len(create)


def _run_import(importer_class, job, progress) -> JobResult:
    owner = job.owner
    if not owner.is_active or not owner.has_perm("stations.import_roster"):
        raise JobRejected(_("You may no longer import rosters."))
    with job.upload.open("rb") as fh:
        rows, present = _read_rows(fh, importer_class.roster, owner, progress)
    return JobResult(message=importer_class(owner, rows, present, progress).run())


@runner(STATION_IMPORT)
def run_station_import(job, progress):
    return _run_import(_StationImport, job, progress)


@runner(REPRESENTATIVE_IMPORT)
def run_representative_import(job, progress):
    return _run_import(_RepresentativeImport, job, progress)
