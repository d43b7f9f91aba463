"""`manage.py seed_demo`: load the demo districts (延庆区 with its reception days, 丰台区), the offices of 北京市, optionally a large synthetic network."""

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from liaison.models import Jurisdiction
from petitions.demo import bulk as petition_bulk
from petitions.demo import petitions as petition_demo
from petitions.models import Department, Petition
from stations.demo import fengtai, synthetic
from stations.demo import network as demo
from stations.demo import offices as demo_offices
from stations.demo import reception as demo_reception
from stations.models import LiaisonOfficer, Membership, ReceptionEvent, Representative, Station

LABELS = {
    "jurisdiction": "jurisdictions",
    "station": "stations",
    "liaisonofficer": "liaison officers",
    "representative": "representatives",
    "membership": "memberships",
    "department": "departments",
    "office": "committee offices",
    "user": "demo accounts",
    "receptionrule": "reception rules",
    "receptionplan": "annual plans",
    "campaign": "campaigns",
    "receptionevent": "reception events",
    "rosterentry": "roster entries",
    "held": "records of past days",
    "petition": "petitions",
    "petitionrepresentative": "petitions' representatives",
    "petitionevent": "history rows",
    "assignment": "department assignments",
    "departmentreply": "department replies",
    "extensionrequest": "extension requests",
    "rating": "ratings",
    "suggestion": "representative suggestions",
    "supervisionnotice": "supervision notices",
    "commitment": "commitments",
    "replytemplate": "reply templates",
}


class Command(BaseCommand):
    help = (
        "Load the demo district (Yanqing, Beijing: 18 homes, 411 stations, about 1,000 representatives, "
        f"departments, one account per role, password {demo.DEMO_PASSWORD}, and its reception days: rules, this "
        "year's published plan, the 集中联系选民月 campaign, department-head visits, records of past days), "
        "a second district (丰台区: four streets, their stations and items), the committee offices of the city, "
        "both districts, 延庆镇 and 东高地街道 with their accounts, and the city's bureaus. "
        "Adds only what is missing, "
        "so running it again changes nothing. --stations/--representatives add a synthetic province for load tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any station exists.")
        parser.add_argument(
            "--stations", type=int, default=0, metavar="N", help="Synthetic stations to have besides the demo district."
        )
        parser.add_argument(
            "--representatives",
            type=int,
            default=0,
            metavar="N",
            help="Synthetic representatives to have besides the demo district.",
        )
        parser.add_argument(
            "--petitions",
            type=int,
            default=0,
            metavar="N",
            help="Petitions to add (every run adds N more) over the whole network and the last 3 years, in bulk.",
        )

    def handle(self, *args, **options):
        stations, representatives = options["stations"], options["representatives"]
        if options["petitions"] < 0:
            raise CommandError("--petitions must be at least 0.")
        if stations < 0 or representatives < 0 or stations > synthetic.MAX_SYNTHETIC_STATIONS:
            raise CommandError(
                f"--stations must be 0-{synthetic.MAX_SYNTHETIC_STATIONS}, --representatives at least 0."
            )
        if options["if_empty"] and Station.objects.exists():
            self.stdout.write("Stations exist already; demo data not loaded.")
            return
        started = time.monotonic()
        report = Counter()
        demo.seed_demo_district(report)
        self._say(f"Demo district 延庆区 ({time.monotonic() - started:.1f} s)", report)
        report.clear()
        phase = time.monotonic()
        fengtai.seed_fengtai_district(report)
        demo_offices.seed_offices(report)
        self._say(f"Demo district 丰台区, the offices of 北京市 ({time.monotonic() - phase:.1f} s)", report)
        report.clear()
        phase = time.monotonic()
        demo_reception.seed_demo_reception(report)
        self._say(f"Reception days of 延庆区 ({time.monotonic() - phase:.1f} s)", report)
        if stations or representatives:
            report.clear()
            phase = time.monotonic()
            synthetic.seed_synthetic(
                stations=stations,
                representatives=representatives,
                report=report,
                log=lambda message: self.stdout.write(f"  {message} (after {time.monotonic() - phase:.1f} s)"),
            )
            self._say(f"Synthetic province 演示省 ({time.monotonic() - phase:.1f} s)", report)
        report.clear()
        phase = time.monotonic()
        petition_demo.seed_demo_petitions(report)
        if report:
            self._say(f"Petitions of 延庆区 ({time.monotonic() - phase:.1f} s)", report)
        else:
            self.stdout.write("Petitions of 延庆区: the district has petitions already, none added.")
        report.clear()
        phase = time.monotonic()
        petition_demo.seed_fengtai_petitions(report)
        if report:
            self._say(f"Petitions of 丰台区 ({time.monotonic() - phase:.1f} s)", report)
        else:
            self.stdout.write("Petitions of 丰台区: the district has petitions already, none added.")
        if options["petitions"]:
            report.clear()
            phase = time.monotonic()
            petition_bulk.seed_bulk_petitions(
                options["petitions"],
                report=report,
                log=lambda message: self.stdout.write(f"  {message} (after {time.monotonic() - phase:.1f} s)"),
            )
            self._say(f"Bulk petitions ({time.monotonic() - phase:.1f} s)", report)
        self.stdout.write(
            "In the database: "
            + ", ".join(
                f"{model.objects.count()} {label}"
                for model, label in (
                    (Jurisdiction, "jurisdictions"),
                    (Station, "stations"),
                    (LiaisonOfficer, "liaison officers"),
                    (Representative, "representatives"),
                    (Membership, "memberships"),
                    (Department, "departments"),
                    (ReceptionEvent, "reception events"),
                    (Petition, "petitions"),
                )
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    def _say(self, title: str, report: Counter) -> None:
        created = ", ".join(f"{report[key]} {label}" for key, label in LABELS.items() if report[key])
        self.stdout.write(f"{title}: {'created ' + created if created else 'nothing to add'}.")
