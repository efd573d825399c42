"""The drop zone used wherever a spreadsheet is imported."""

from __future__ import annotations

import reflex as rx

SPREADSHEETS = {
    "text/csv": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


def spreadsheet_drop_zone(upload_id: str, label: str, max_bytes: int) -> rx.Component:
    """A labelled area to drop or choose one .csv or .xlsx file; shows the chosen name."""
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=28, color="var(--amber-9)"),
            rx.text("Drop the file here, or click to choose it", size="2"),
            rx.foreach(rx.selected_files(upload_id), lambda f: rx.text(f, weight="bold", size="2")),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        accept=SPREADSHEETS,
        multiple=False,
        max_files=1,
        max_size=max_bytes,
        padding="1.75em",
        width="100%",
        aria_label=label,
        cursor="pointer",
    )


async def first_upload(files: list[rx.UploadFile], max_bytes: int) -> tuple[str, bytes] | None:
    """The name and bytes (at most ``max_bytes`` + 1, so size checks can refuse) of the first file, if any."""
    if not files:
        return None
    upload = files[0]
    return str(upload.name or upload.filename or ""), await upload.read(max_bytes + 1)
