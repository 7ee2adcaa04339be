"""English messages of the Upload and Upload history pages."""

MESSAGES: dict[str, str] = {
    # ------------------------------------------------------------------ upload page
    "upload.title": "Upload a quarterly return",
    "upload.subtitle": "Check your workbook, see what it will change, then confirm. Nothing is written before you "
    "confirm.",
    "upload.step_template": "1. Get the template",
    "upload.template_help": "The template is pre-filled with your facilities, the findings still open with their "
    "current status, and the priorities with their last progress. Update it for the quarter.",
    "upload.country": "Country",
    "upload.quarter": "Quarter reported on",
    "upload.download_template": "Download the template for {country} {quarter}",
    "upload.step_file": "2. Upload your workbook",
    "upload.your_name": "Your name",
    "upload.your_name_help": "Recorded in the upload history with the file.",
    "upload.file": "Workbook (.xlsx)",
    "upload.file_help": "Excel or LibreOffice Calc workbook saved as .xlsx, at most {mb} MB.",
    "upload.checking": "Checking {file}…",
    "upload.checked": "Checked {file}",
    "upload.unreadable_title": "This file cannot be imported",
    "upload.rejected_title": "The workbook has {n} problem(s) to correct. Nothing was written.",
    "upload.rejected_help": "Each problem names its sheet and cell. Download your workbook with the problem cells "
    "highlighted in red and explained in a comment, correct them, save, and upload it again.",
    "upload.download_annotated": "Download your workbook with the problems marked",
    "upload.col.place": "Place",
    "upload.col.value": "Value found",
    "upload.col.problem": "What is wrong and what is accepted",
    "upload.warnings_title": "{n} warning(s): the upload is allowed, but please check",
    "upload.identical": "This file is identical to upload #{id}, which is already applied. Nothing changed.",
    "upload.valid_title": "The workbook is valid: {country} {quarter}",
    "upload.other_return": "You chose {chosen_country} {chosen_quarter} above, but this workbook is the return of "
    "{country} {quarter}. It will be applied to {country} {quarter}.",
    "upload.supersedes": "It replaces upload #{id} ({file}) by {who} on {when}. The earlier upload stays in the "
    "history, with its file, and can be restored.",
    "upload.preview_title": "What will change",
    "upload.preview_sheet": "{sheet}: {added} new · {updated} changed · {unchanged} unchanged · {removed} removed",
    "upload.preview_added": "New rows",
    "upload.preview_changed": "Changed values",
    "upload.preview_removed": "No longer reported for this quarter (the new return replaces them)",
    "upload.preview_nothing": "Nothing in this sheet changes.",
    "upload.col.key": "Row",
    "upload.col.column": "Column",
    "upload.col.before": "Before",
    "upload.col.after": "After",
    "upload.confirm": "Apply this return",
    "upload.need_name": "Enter your name above to apply the return.",
    "upload.applying": "Applying the return…",
    "upload.applied": "Return applied as upload #{id}: {n} row(s) changed for {country} {quarter}.",
    "upload.applied_failed": "The return could not be applied: {message}",
    "upload.see_pages": "See what changed:",
    "upload.another": "Upload another workbook",
    "upload.no_countries": "No countries are defined yet.",
    # ------------------------------------------------------------------ upload history
    "history.title": "Upload history",
    "history.subtitle": "Every return ever uploaded, with its file. Nothing is deleted: a superseded upload can be "
    "downloaded and restored.",
    "history.empty": "No upload yet. Returns appear here once imported.",
    "history.col.id": "#",
    "history.col.uploaded_at": "Uploaded",
    "history.col.uploaded_by": "By",
    "history.col.file": "File",
    "history.col.country": "Country",
    "history.col.quarter": "Quarter",
    "history.col.kind": "Kind",
    "history.col.status": "Status",
    "history.col.changes": "Rows changed",
    "history.col.warnings": "Warnings",
    "history.col.sha256": "SHA-256",
    "history.sha256": "SHA-256 `{sha}`",
    "history.col.note": "Note",
    "history.superseded_by": "superseded by #{id}",
    "history.restored_from": "restores #{id}",
    "history.choose": "Upload",
    "history.details": "Upload #{id}: {file}",
    "history.download": "Download the original file",
    "history.counts": "Rows per sheet",
    "history.warnings": "Warnings recorded with this upload",
    "history.no_warnings": "No warnings.",
    "history.restore_title": "Restore this upload",
    "history.restore_help": "Applies this file again as a new upload for {country} {quarter}; it will supersede "
    "upload #{current}. The history keeps both.",
    "history.restore": "Restore upload #{id}",
    "history.restored": "Upload #{old} restored as upload #{id}.",
    "history.restore_failed": "Upload #{id} could not be restored: {message}",
    "history.is_current": "This upload is current.",
    "status.current": "current",
    "status.superseded": "superseded",
    # ------------------------------------------------------------------ the importer (data_access.messages)
    "import.progress.file": "Checking the file",
    "import.progress.sheets": "Reading every sheet",
    "import.progress.stored": "Checking against the stored data",
    "import.progress.changes": "Working out what changes",
    "import.progress.saving": "Saving",
    "import.progress.done": "Done",
    "import.result.identical": "This file is identical to upload #{id} ({country} {quarter}), which is already "
    "applied: nothing changed.",
    "import.result.rejected": "The workbook was not imported: {n} error(s) to correct. Nothing was written.",
    "import.result.dry_run": "Dry run: the workbook is valid and would change {n} row(s) for {country} {quarter}. "
    "Nothing was written.",
    "import.result.dry_run_supersedes": "Dry run: the workbook is valid and would change {n} row(s) for {country} "
    "{quarter}. It would supersede upload #{old}. Nothing was written.",
    "import.result.applied": "Imported as upload #{id}: {n} row(s) changed for {country} {quarter}.",
    "import.result.applied_supersedes": "Imported as upload #{id}: {n} row(s) changed for {country} {quarter}. It "
    "supersedes upload #{old}.",
    "import.result.no_stored_file": "Upload #{id} does not exist or has no stored file.",
    "workbook.empty": "The file is empty (0 bytes). Check that you picked the right file; if so, save the workbook "
    "again from Excel or LibreOffice and upload it again.",
    "workbook.too_large": "The file is {size}, more than the {limit} allowed. Remove what the return does not need "
    "(extra sheets, pictures, unused rows), save it and upload it again.",
    "workbook.xlsm": "This file is a macro-enabled workbook (.xlsm), which is not accepted. In Excel choose File > "
    'Save As > "Excel Workbook (.xlsx)" (this removes the macros) and upload the new .xlsx file.',
    "workbook.xltm": "This file is a macro-enabled workbook template (.xltm), which is not accepted. In Excel choose "
    'File > Save As > "Excel Workbook (.xlsx)" (this removes the macros) and upload the new .xlsx file.',
    "workbook.xlam": "This file is a macro-enabled add-in (.xlam), which is not accepted. In Excel choose File > Save "
    'As > "Excel Workbook (.xlsx)" (this removes the macros) and upload the new .xlsx file.',
    "workbook.xls": "This file is in the old Excel 97-2003 format (.xls), which is not accepted. Open it in Excel or "
    'LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.xlt": "This file is in the old Excel 97-2003 format (.xls), which is not accepted. Open it in Excel or "
    'LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.xlsb": "This file is an Excel Binary Workbook (.xlsb), which is not accepted. Open it in Excel or "
    'LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.csv": "This is a CSV file, which is not accepted: only Excel workbooks (.xlsx) are. Fill in the "
    'quarterly return template, or open the file in Excel or LibreOffice and save it as "Excel Workbook (.xlsx)", '
    "then upload it again.",
    "workbook.ods": "This is an OpenDocument spreadsheet (.ods), which is not accepted. Open it in LibreOffice, "
    'choose File > Save As > "Excel 2007-365 (.xlsx)" and upload the new file.',
    "workbook.xltx": 'This file is an Excel template (.xltx). Open it in Excel, save it as "Excel Workbook (.xlsx)" '
    "and upload it again.",
    "workbook.other_extension": '"{name}" is not an Excel workbook: only .xlsx files are accepted. Open it in Excel '
    'or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.no_name": '"The file" is not an Excel workbook: only .xlsx files are accepted. Open it in Excel or '
    'LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.password": "This workbook is protected with a password, so it cannot be read. Open it in Excel, remove "
    "the password (File > Info > Protect Workbook > Encrypt with Password, then clear the password), save it and "
    "upload it again.",
    "workbook.xls_renamed": "This file is an old Excel 97-2003 workbook (.xls) that was renamed to .xlsx, which is "
    'not accepted. Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.not_xlsx": "This file is not an Excel .xlsx workbook. Open it in Excel or LibreOffice, save it as "
    '"Excel Workbook (.xlsx)" and upload it again.',
    "workbook.text_renamed": "This file is not an Excel .xlsx workbook (it looks like a text or CSV file that was "
    'renamed to .xlsx). Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.damaged": "This workbook seems to be damaged or incomplete (for example the copy or download was cut "
    "short). Open it in Excel or LibreOffice, save it again as .xlsx and upload the new file. If it still fails, "
    "contact the programme team.",
    "workbook.unreadable": "This workbook could not be read safely, so nothing was imported. Open it in Excel or "
    "LibreOffice, save it again as .xlsx and upload it again. If it still fails, contact the programme team.",
    "workbook.too_many_parts": "This workbook would take up an unusually large amount of space once opened ({parts} "
    "internal parts), so it was not read. Copy the sheets of the return into a new workbook, save it as .xlsx and "
    "upload that file. If it still fails, contact the programme team.",
    "workbook.part_expands": "This workbook would take up an unusually large amount of space once opened (one part of "
    "it expands from {packed} to {unpacked}), so it was not read. Copy the sheets of the return into a new workbook, "
    "save it as .xlsx and upload that file. If it still fails, contact the programme team.",
    "workbook.expands": "This workbook would take up an unusually large amount of space once opened (about {size}), "
    "so it was not read. Copy the sheets of the return into a new workbook, save it as .xlsx and upload that file. If "
    "it still fails, contact the programme team.",
    "workbook.word": "This file is not an Excel workbook: it is a Word document renamed to .xlsx. Open it in Excel or "
    'LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.powerpoint": "This file is not an Excel workbook: it is a PowerPoint presentation renamed to .xlsx. "
    'Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.opendocument": "This file is not an Excel workbook: it is an OpenDocument file (for example .ods) "
    'renamed to .xlsx. Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.zip": "This file is not an Excel workbook: it is a compressed (zip) file, not a workbook renamed to "
    '.xlsx. Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.',
    "workbook.macro": "This file is a macro-enabled workbook, which is not accepted. In Excel choose File > Save As > "
    '"Excel Workbook (.xlsx)" (this removes the macros) and upload the new .xlsx file.',
    "workbook.grid_too_large": 'The sheet "{sheet}" has content spread over {rows} rows and {cols} columns (down '
    "to cell {cell}), too much to read. Delete the rows and columns that the return does not use (also cells that "
    "only look empty, for example holding a space), save the workbook and upload it again.",
}
