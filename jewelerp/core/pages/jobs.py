"""Jobs page: scheduled jobs, their recent runs, and "Run now" for admins."""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import select

from jewelerp.core.models import JobRun
from jewelerp.registry import get_registry
from jewelerp.scheduler import run_job
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState

RECENT_RUNS = 50


class JobsState(AppState):
    """Recent runs and who may start a job."""

    runs: list[dict[str, str]] = []
    can_run: bool = False

    def _reload(self) -> None:
        def work(session, actor):
            actor.require("core.jobs.view")
            runs = session.exec(select(JobRun).order_by(JobRun.id.desc()).limit(RECENT_RUNS)).all()
            return actor.can("core.jobs.run"), [
                {
                    "job": r.job_id,
                    "trigger": r.trigger,
                    "status": r.status,
                    "stores": r.stores or "-",
                    "started": actor.local(r.started_at).strftime("%d %b %H:%M:%S"),
                    "took": f"{(r.finished_at - r.started_at).total_seconds():.1f} s" if r.finished_at else "running",
                    "error": (r.error.splitlines() or [""])[0],
                }
                for r in runs
            ]

        result = self._run(work, write=False)
        if result is not None:
            self.can_run, self.runs = result

    @rx.event
    def load(self) -> None:
        """Read recent runs."""
        self._reload()

    @rx.event
    async def run_now(self, job_id: str) -> None:
        """Run a job at once (admins), off the event loop, and show its outcome."""
        if not self._run(lambda s, a: a.require("core.jobs.run") or True, write=False):
            return
        run = await asyncio.to_thread(run_job, job_id, "manual")
        if run is None:
            self._say("That job is running elsewhere right now.", ok=False)
        else:
            self._say(f"{job_id}: {run.status}" + (f" ({run.stores})" if run.stores else ""), ok=run.status == "ok")
        self._reload()


def _job_row(module_title: str, job_id: str, title: str, cron: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(rx.text(title, weight="medium"), rx.code(job_id, size="1", variant="ghost"), spacing="0")
        ),
        rx.table.cell(module_title),
        rx.table.cell(rx.code(cron)),
        rx.table.cell(
            rx.cond(
                JobsState.can_run,
                rx.button(
                    "Run now",
                    size="1",
                    variant="soft",
                    on_click=JobsState.run_now(job_id),
                    aria_label=f"Run now: {title}",
                ),
            )
        ),
    )


def _run_row(run: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(run["started"]),
        rx.table.cell(rx.code(run["job"], variant="ghost")),
        rx.table.cell(run["trigger"]),
        rx.table.cell(
            rx.badge(run["status"], color_scheme=rx.match(run["status"], ("ok", "green"), ("failed", "red"), "gray"))
        ),
        rx.table.cell(run["stores"]),
        rx.table.cell(run["took"]),
        rx.table.cell(rx.text(run["error"], size="1", color_scheme="red")),
    )


def _table(headers: list[str], body: rx.Component) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def page() -> rx.Component:
    """The jobs page."""
    jobs = [_job_row(m.title, j.id, j.title, j.cron) for m, j in get_registry().jobs()]
    return shell(
        rx.vstack(
            rx.heading("Scheduled jobs", size="4"),
            _table(["Job", "Module", "Schedule (cron)", ""], rx.fragment(*jobs))
            if jobs
            else rx.text("No installed module declares a job.", color_scheme="gray"),
            rx.heading("Recent runs", size="4", padding_top="1rem"),
            _table(
                ["Started", "Job", "Trigger", "Status", "Stores", "Took", "Error"], rx.foreach(JobsState.runs, _run_row)
            ),
            spacing="3",
            width="100%",
        ),
        "Jobs",
    )
