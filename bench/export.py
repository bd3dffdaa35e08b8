"""Exporting a whole finished session of 15 people to the GP record: PDF, FHIR and CSV.

Each run exports from its own copy of the store (export is once per person), opened before the
clock starts; the figure is export_session itself, files written and the export log kept.
"""

from __future__ import annotations

from bench import (
    DEMO,
    TEN_YEARS,
    Context,
    Figure,
    copy_store,
    finish_session,
    open_clinic,
    prepare_session,
    timed,
)
from bench.phases import sign_in

BUDGET_S = 3.0


def run(ctx: Context, regulars: dict[str, list[int]]) -> list[Figure]:
    from groupclinic_desktop.export.batch import export_session

    figures: list[Figure] = []
    runs = ctx.repeats(5, 1)
    for store in (DEMO, TEN_YEARS):
        prepared = ctx.copy_store(store, "export")
        with open_clinic(prepared) as clinic:
            sid = prepare_session(clinic, regulars=regulars.get(store))
            finish_session(clinic, sid)
        samples = []
        files = 0
        for attempt in range(runs):
            folder = ctx.scratch / f"{store}-export-{attempt}"
            copy_store(prepared, folder)
            with open_clinic(folder) as clinic:
                sign_in(clinic, "admin", "9753")
                out = ctx.scratch / f"{store}-export-files-{attempt}"
                result: list = []
                samples.append(timed(lambda c=clinic, o=out: result.append(
                    export_session(c, sid, o, ("pdf", "fhir", "csv")))))
                files = len(result[0].files)
                people = result[0].people
        figure = Figure("export session to PDF+FHIR+CSV", store, samples, budget="< 3 s",
                        extra={"people": people, "files": files})
        figure.within_budget = figure.median < BUDGET_S
        figures.append(figure)
    return figures
