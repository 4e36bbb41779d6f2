"""CSV import of a roadmap (row-numbered report, all or nothing) and safe CSV export."""

import csv
import io

import pytest
from django.urls import reverse

from cco.csv_safety import safe_cell
from roadmap import services
from roadmap.models import Dependency, Initiative, Milestone, Pillar
from roadmap.services.importing import COLUMNS
from tests.roadmap.factories import InitiativeFactory, RoadmapFactory, this_year

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS) + "\n"


def plan_csv(department: str) -> str:
    y = this_year()
    return HEADER + (
        f"Listen,Voice of customer,{department},,{y}-01-01,{y}-12-31,planned,,,Surveys,"
        f"Survey live,{y}-03-31,,yes\n"
        f"Listen,Voice of customer,,,,,,,,,Dashboard,{y}-09-30,,no\n"
        f"Act,Close the loop,{department},,{y + 1}-01-01,{y + 1}-12-31,proposed,,"
        f"Voice of customer,,Call-backs,{y + 1}-06-30,,yes\n"
    )


def test_a_good_file_creates_pillars_initiatives_milestones_and_dependencies(cco, department_a):
    roadmap = RoadmapFactory()
    report = services.roadmap_import(actor=cco, roadmap=roadmap, text=plan_csv("customer-service"))
    assert (report.pillars_created, report.initiatives_created, report.milestones_created) == (
        2,
        2,
        3,
    )
    assert report.dependencies_added == 1
    voice = Initiative.objects.get(title="Voice of customer")
    assert voice.department == department_a
    assert list(voice.milestones.values_list("title", flat=True)) == ["Survey live", "Dashboard"]
    assert Initiative.objects.get(title="Close the loop").depends_on.get() == voice


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cco, department_a):
    roadmap = RoadmapFactory()
    services.roadmap_import(actor=cco, roadmap=roadmap, text=plan_csv("customer-service"))
    report = services.roadmap_import(actor=cco, roadmap=roadmap, text=plan_csv("customer-service"))
    assert report.initiatives_created == 0
    assert Initiative.objects.count() == 2
    assert Milestone.objects.count() == 3


def test_a_file_with_errors_saves_nothing_and_names_every_row_column_and_reason(cco, department_a):
    roadmap = RoadmapFactory()
    y = this_year()
    text = HEADER + (
        f"Listen,Voice of customer,customer-service,,{y}-01-01,{y}-12-31,planned,,,,"
        f"Survey live,{y}-03-31,,yes\n"
        f"Listen,Bad dates,customer-service,,{y}-05-01,{y}-04-01,planned,,,,,,,\n"
        f"Listen,Unknown owner,nowhere,,{y}-01-01,{y}-12-31,planned,,,,,,,\n"
        f"Listen,Started early,customer-service,,{y}-01-01,{y}-12-31,in progress,,,,,,,\n"
        f"Act,Close the loop,customer-service,,{y}-01-01,{y}-12-31,planned,,Ghost,,"
        f"Out of span,{y + 2}-01-01,,no\n"
        f"Act,Odd date,customer-service,,31/12/{y},{y}-12-31,planned,,,,,,,\n"
    )
    with pytest.raises(services.RoadmapImportError) as caught:
        services.roadmap_import(actor=cco, roadmap=roadmap, text=text)
    problems = {(e.row, e.column): e.message for e in caught.value.errors}
    assert "must be after the start date" in problems[(3, "end")]
    assert "nowhere" in problems[(4, "department")]
    assert "expected results" in problems[(5, "status")]
    assert "must fall inside the initiative" in problems[(6, "due")]
    assert "Ghost" in problems[(6, "depends_on")]
    assert "YYYY-MM-DD" in problems[(7, "start")]
    assert not Initiative.objects.exists()
    assert not Pillar.objects.exists()
    assert not Milestone.objects.exists()


def test_a_cycle_in_the_file_is_refused_and_nothing_is_saved(cco, department_a):
    roadmap = RoadmapFactory()
    y = this_year()
    text = HEADER + (
        f"P,A,customer-service,,{y}-01-01,{y}-12-31,planned,,B,,,,,\n"
        f"P,B,customer-service,,{y}-01-01,{y}-12-31,planned,,A,,,,,\n"
    )
    with pytest.raises(services.RoadmapImportError) as caught:
        services.roadmap_import(actor=cco, roadmap=roadmap, text=text)
    (error,) = caught.value.errors
    assert error.row == 3 and error.column == "depends_on"
    assert "“B” → “A” → “B”" in error.message
    assert not Dependency.objects.exists()
    assert not Initiative.objects.exists()


def test_a_missing_column_is_named(cco):
    with pytest.raises(services.RoadmapImportError) as caught:
        services.roadmap_import(actor=cco, roadmap=RoadmapFactory(), text="title,start\nA,B\n")
    assert [str(e) for e in caught.value.errors][0].startswith("Row 1, header: The column “pillar”")


def test_the_import_page_shows_the_report_and_only_the_cco_may_use_it(
    client_for, cco, head_a, executive
):
    roadmap = RoadmapFactory()
    for person in (head_a, executive):
        assert client_for(person).get(reverse("roadmap:import")).status_code == 403
    upload = io.BytesIO((HEADER + "P,A,nowhere,,2020-01-01,2020-12-31,,,,,,,,\n").encode())
    upload.name = "plan.csv"
    response = client_for(cco).post(
        reverse("roadmap:import"), {"roadmap": roadmap.pk, "file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Row 2" in html
    assert not (Pillar.objects.exists() or Initiative.objects.exists())


def test_cells_a_spreadsheet_would_run_get_an_apostrophe():
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    for text in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell(-5) == "-5"
    assert safe_cell("Plain") == "Plain"
    assert safe_cell(None) == ""


def test_the_milestones_export_round_trips_and_is_formula_safe(client_for, cco, department_a):
    initiative = InitiativeFactory(department=department_a, title="=cmd|' /C calc'!A0")
    Milestone.objects.create(
        initiative=initiative, title="Go live", due_date=initiative.end_date, is_key=True
    )
    response = client_for(cco).get(reverse("roadmap:export-milestones"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["initiative"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["milestone"] == "Go live"
    assert rows[0]["key"] == "yes"
    roadmap = initiative.pillar.roadmap
    report = services.roadmap_import(actor=cco, roadmap=roadmap, text=response.content.decode())
    assert report.milestones_updated == 1


def test_the_initiatives_export_carries_derived_health(client_for, executive, department_a):
    InitiativeFactory(department=department_a, title="Listen")
    response = client_for(executive).get(reverse("roadmap:export-initiatives"))
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["initiative"] == "Listen"
    assert row["health"] in {"On track", "Not started", "At risk"}


def test_an_apostrophe_added_on_export_is_dropped_on_import():
    from cco.csv_safety import plain_cell

    assert plain_cell("'=SUM(A1)") == "=SUM(A1)"
    assert plain_cell("'tis the season") == "'tis the season"
