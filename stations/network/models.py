"""The liaison network: homes, stations, contact points, representatives, memberships."""

import secrets
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.network.querysets import RepresentativeQuerySet, StationDocumentQuerySet, StationQuerySet

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$",
    _("Enter a mobile number (11 digits) or a landline such as 010-69101234."),
)
mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))

# No 0/O, 1/I/L: residents may type the code from a printed poster.
_PUBLIC_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_public_code() -> str:
    return "".join(secrets.choice(_PUBLIC_ALPHABET) for _ in range(8))


def _generated_name(folder, filename):
    """Stored names are random: an uploaded file's own name never reaches the disk."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{date.today():%Y/%m}/{uuid.uuid4().hex}.{ext[:8]}"


def station_photo_path(instance, filename):
    return _generated_name("stations/photos", filename)


def station_document_path(instance, filename):
    return _generated_name("stations/documents", filename)


def representative_photo_path(instance, filename):
    return _generated_name("representatives/photos", filename)


class StationKind(models.TextChoices):
    HOME = "home", _("Representative home")
    STATION = "station", _("Liaison station")
    CONTACT_POINT = "contact_point", _("Contact point")
    INDUSTRY = "industry", _("Industry station")
    SPECIALIST = "specialist", _("Specialist room")


# Which kinds may sit directly under which: homes are roots (one per street or
# township), stations under homes, contact points under stations or homes.
ALLOWED_PARENT_KINDS = {
    StationKind.HOME: set(),
    StationKind.STATION: {StationKind.HOME},
    StationKind.CONTACT_POINT: {StationKind.STATION, StationKind.HOME},
    StationKind.INDUSTRY: {StationKind.HOME, StationKind.STATION},
    StationKind.SPECIALIST: {StationKind.HOME, StationKind.STATION},
}
ROOT_KINDS = {StationKind.HOME, StationKind.STATION, StationKind.INDUSTRY, StationKind.SPECIALIST}


class Station(models.Model):
    """A place where representatives meet residents (home, station, contact point, ...)."""

    code = models.CharField(
        _("station number"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Use letters, digits and hyphens only."))],
        help_text=_("The number the office gives the station, e.g. 110119100-01."),
    )
    public_code = models.CharField(
        _("public code"), max_length=12, unique=True, default=new_public_code, editable=False
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=StationKind.choices, default=StationKind.STATION)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("belongs to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="stations"
    )
    # Which committee office owns the items registered here (triages, assigns, closes them); empty:
    # the nearest office above the station's place (`liaison.offices.station_owner`). Set by an
    # office above the station.
    office = models.ForeignKey(
        "liaison.Office",
        verbose_name=_("owning office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        help_text=_(
            "The committee office that triages and closes the items registered here. Empty: the nearest office above the station."
        ),
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: Mon-Fri 9:00-17:00; reception day the 15th."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[phone_validator])
    photo = models.ImageField(_("photo"), upload_to=station_photo_path, blank=True)
    area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    annual_budget = models.DecimalField(
        _("annual budget (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    work_rules = models.TextField(_("work rules"), blank=True)
    is_active = models.BooleanField(_("in service"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff accounts"), blank=True, related_name="staffed_stations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["jurisdiction__code", "code"]
        permissions = [
            ("import_roster", _("Can import station and representative rosters")),
            ("export_roster", _("Can export station and representative rosters")),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "kind"], name="station_by_jurisdiction_kind"),
            models.Index(fields=["parent"], name="station_by_parent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in StationKind]), name="station_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="home") | models.Q(parent__isnull=True), name="station_home_is_root"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("A station cannot belong to itself.")})
            allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
            if self.parent.kind not in allowed:
                raise ValidationError(
                    {
                        "parent": _("A %(kind)s cannot belong to a %(parent)s.")
                        % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                    }
                )
            if self.pk and self.parent.parent_id == self.pk:
                raise ValidationError({"parent": _("This would make a loop of stations.")})
        elif self.kind and self.kind not in ROOT_KINDS:
            raise ValidationError({"parent": _("A contact point must belong to a station or a home.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def six_haves(self) -> list[tuple[str, bool]]:
        """The "six haves" checklist (六个有): place, staff, rules, plan, archive, budget."""
        kinds = set(self.documents.values_list("kind", flat=True))
        year = date.today().year
        has_plan = self.documents.filter(kind=StationDocument.Kind.PLAN, year=year).exists()
        return [
            (_("Has a fixed place"), bool(self.address) and bool(self.area_m2)),
            (_("Has staff"), self.officers.exists() or self.staff.exists()),
            (_("Has work rules"), bool(self.work_rules.strip()) or StationDocument.Kind.RULES in kinds),
            (_("Has this year's activity plan"), has_plan),
            (_("Has an information archive"), StationDocument.Kind.ARCHIVE in kinds),
            (_("Has a budget"), bool(self.annual_budget) or StationDocument.Kind.BUDGET in kinds),
        ]


class LiaisonOfficer(models.Model):
    """A liaison officer (联络员) named on the station's public board; may have no account."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="officers")
    name = models.CharField(_("name"), max_length=64)
    position = models.CharField(_("position"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[phone_validator])

    class Meta:
        verbose_name = _("liaison officer")
        verbose_name_plural = _("liaison officers")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class StationDocument(models.Model):
    """An attachment of the six-haves record; served only through a scoped view."""

    class Kind(models.TextChoices):
        RULES = "rules", _("Work rules")
        PLAN = "plan", _("Annual activity plan")
        BUDGET = "budget", _("Budget")
        ARCHIVE = "archive", _("Archive")
        OTHER = "other", _("Other")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    file = models.FileField(_("file"), upload_to=station_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = StationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("station document")
        verbose_name_plural = _("station documents")
        ordering = ["kind", "-year", "-uploaded_at"]

    def __str__(self):
        return self.title


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("District or county")
    TOWNSHIP = "township", _("Township")


class ProfessionalGroup(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    LEGAL = "legal", _("Legal")
    AGRICULTURE = "agriculture", _("Agriculture")
    ECONOMY = "economy", _("Economy")
    URBAN = "urban", _("Urban development")
    SOCIAL = "social", _("Social affairs")
    SCIENCE = "science", _("Science and technology")
    OTHER = "other", _("Other")


class Representative(models.Model):
    """A people's-congress representative (人大代表) of one of five levels."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    code = models.CharField(
        _("representative number"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Use letters, digits and hyphens only."))],
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    jurisdiction = models.ForeignKey(
        "liaison.Jurisdiction",
        verbose_name=_("elected in"),
        on_delete=models.PROTECT,
        related_name="representatives",
        help_text=_("The jurisdiction whose congress the representative sits in or was elected from."),
    )
    constituency = models.CharField(_("constituency"), max_length=100, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    public_phone = models.CharField(_("public phone"), max_length=32, blank=True, validators=[phone_validator])
    private_phone = models.CharField(_("private phone"), max_length=11, blank=True, validators=[mobile_validator])
    photo = models.ImageField(_("photo"), upload_to=representative_photo_path, blank=True)
    bio = models.TextField(_("short biography"), blank=True, max_length=2000)
    professional_group = models.CharField(
        _("professional group"), max_length=16, choices=ProfessionalGroup.choices, blank=True
    )
    grid_cell = models.CharField(_("grid cell"), max_length=64, blank=True)
    term_number = models.PositiveSmallIntegerField(
        _("term (session number)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    term_start = models.PositiveSmallIntegerField(
        _("term starts (year)"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    term_end = models.PositiveSmallIntegerField(
        _("term ends (year)"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representative",
    )
    is_active = models.BooleanField(_("serving"), default=True)
    stations = models.ManyToManyField(Station, through="Membership", related_name="representatives", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["level", "name", "code"]
        permissions = [
            ("view_private_phone", _("Can see representatives' private phone numbers")),
            ("change_own_profile", _("Can edit their own representative profile")),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "level"], name="rep_by_jurisdiction_level"),
            models.Index(fields=["name"], name="rep_by_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=[v.value for v in Level]), name="rep_level_valid"),
            models.CheckConstraint(
                condition=models.Q(term_start__isnull=True)
                | models.Q(term_end__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="rep_term_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def term_display(self) -> str:
        parts = []
        if self.term_number:
            parts.append(_("term %(n)s") % {"n": self.term_number})
        if self.term_start and self.term_end:
            parts.append(f"{self.term_start}–{self.term_end}")
        return " ".join(str(p) for p in parts)

    def clean(self):
        super().clean()
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("The term cannot end before it starts.")})


class Membership(models.Model):
    """A representative attached to a station (四级代表进站), as head or member."""

    class Role(models.TextChoices):
        HEAD = "head", _("Station head")
        MEMBER = "member", _("Member")

    representative = models.ForeignKey(Representative, on_delete=models.PROTECT, related_name="memberships")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("station membership")
        verbose_name_plural = _("station memberships")
        ordering = ["station", "role", "representative__name"]
        constraints = [
            models.UniqueConstraint(fields=["representative", "station"], name="membership_once_per_station"),
            models.UniqueConstraint(
                fields=["station"], condition=models.Q(role="head"), name="membership_one_head_per_station"
            ),
        ]
        indexes = [models.Index(fields=["station", "role"], name="membership_by_station_role")]

    def __str__(self):
        return f"{self.representative} @ {self.station}"
