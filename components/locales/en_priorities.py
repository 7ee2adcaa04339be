"""English messages of the Priorities page (merged into ``en`` by ``en.py``).
Status names come from the shared ``priority_status.*`` and
``milestone_status.*`` keys."""

MESSAGES: dict[str, str] = {
    "priorities.title": "Priorities",
    "priorities.title_as_at": "Priorities · {quarter}",
    "priorities.subtitle": "{countries} · {n} priorities for 2024 onwards{not_started} · "
    "changes compared with {previous}",
    "priorities.subtitle_first": "{countries} · {n} priorities for 2024 onwards{not_started} · "
    "first quarter with data, nothing to compare with",
    "priorities.subtitle_not_started": ", {n} not started",
    "priorities.empty.title": "No priorities reported",
    "priorities.empty.body": "No priority of {countries} had been reported by the end of {quarter}. Priorities arrive "
    "with the `Priorities` sheet of a quarterly return: choose a later quarter or other "
    "countries in the sidebar, or upload a return.",
    # ------------------------------------------------------------------ tiles
    "priorities.tile.on track.help": "Priorities whose reported status at the end of {quarter} is on track.",
    "priorities.tile.at risk.help": "Priorities whose reported status at the end of {quarter} is at risk.",
    "priorities.tile.off track.help": "Priorities whose reported status at the end of {quarter} is off track.",
    "priorities.tile.completed.help": "Priorities reported completed by the end of {quarter}.",
    "priorities.tile.disagree": "Rule disagrees",
    "priorities.tile.disagree.help": "Priorities whose reported status differs from the status the rule computes from "
    "progress and dates (see below the table).",
    "priorities.tile.slipping": "Slipping",
    "priorities.tile.slipping.help": "Priorities whose reported status is worse than a quarter earlier, or whose "
    "progress has not changed for two quarters (completed ones excepted).",
    # ------------------------------------------------------------------ tabs
    "priorities.tab.all": "All priorities",
    "priorities.tab.detail": "One priority",
    "priorities.tab.programme": "Programme-wide",
    # ------------------------------------------------------------------ table
    "priorities.col.country": "Country",
    "priorities.col.id": "ID",
    "priorities.col.title": "Priority",
    "priorities.col.title.help": "Click a row to open the priority.",
    "priorities.col.reported": "Reported",
    "priorities.col.reported.help": "The status the country reported (latest at or before the quarter).",
    "priorities.col.computed": "By the rule",
    "priorities.col.computed.help": "The status the rule below computes from progress, start and target date.",
    "priorities.col.check": "Check",
    "priorities.col.check.help": "Where the rule disagrees with the reported status, and why a priority is slipping.",
    "priorities.col.progress": "Progress",
    "priorities.col.progress.help": "Progress reported, 0-100%.",
    "priorities.col.trend": "Trend",
    "priorities.col.trend.help": "Progress (0-100%) as at the end of each quarter from {first} to {quarter}.",
    "priorities.col.target": "Target date",
    "priorities.col.last_update": "Last update",
    "priorities.col.last_update.help": "The quarter of the latest return that changed this priority.",
    "priorities.not_computed": "—",
    "priorities.no_theme": "No theme",
    "priorities.check.disagree": "Rule: {status}",
    "priorities.check.worsened": "Worse than {quarter}",
    "priorities.check.stalled": "Stalled since {since}",
    "priorities.rule": "**The rule.** A straight line runs from 0% at the end of the priority's first reported quarter "
    "(the 2023-Q4 baseline for the report's priorities) to 100% on its target date; the priority "
    "is judged on the last day of the selected quarter. The first that applies: "
    "① progress 100% → Completed; ② target date passed → Off track; ③ progress more than {gap} "
    "points below the line → At risk; ④ progress 0% → Not started; ⑤ otherwise → On track. "
    "Without a target date only ① applies. **Slipping:** the reported status is worse than a quarter "
    "earlier, or progress has not changed for {stalled} quarters (not completed).",
    "priorities.badge.disagree": ":violet-badge[Rule disagrees]",
    "priorities.badge.slipping": ":orange-badge[Slipping]",
    # ------------------------------------------------------------------ questions for the meeting
    "priorities.questions.title": "Questions for the meeting",
    "priorities.questions.none": "As at {quarter} the rule agrees with every reported status and nothing is slipping.",
    "priorities.questions.line": "{flags} **{id}** {title} · {country}: {parts}.  \n{why}",
    "priorities.questions.disagree": "reported {reported}, by the rule {computed} ({why})",
    "priorities.questions.worsened": "{before} in {previous}, {now} in {quarter}",
    "priorities.questions.stalled": "progress stuck at {progress} since {since}",
    "priorities.questions.narrative": ":gray[{quarter}:] _{text}_",
    "priorities.questions.no_narrative": ":gray[_No narrative reported._]",
    "priorities.questions.hint": "Open a priority from the table (click its row) or in the **One priority** tab for "
    "its milestones and the full narrative.",
    # ------------------------------------------------------------------ the rule, in words
    "priorities.ahead": "{gap} points ahead of the line",
    "priorities.below": "{gap} points below the line",
    "priorities.reason.completed": "Progress is 100%: **completed** (①).",
    "priorities.reason.target_passed": "The target date {target} passed before {as_at} at {progress} progress: "
    "**off track** (②).",
    "priorities.reason.behind": "By {as_at} the line expects {expected}; progress is {progress}, {gap} points below "
    "it, more than {limit}: **at risk** (③).",
    "priorities.reason.not_started": "Progress is 0% and the line expects {expected} by {as_at} ({position}, not more "
    "than {limit}): **not started** (④).",
    "priorities.reason.on_pace": "By {as_at} the line expects {expected}; progress is {progress} ({position}): "
    "**on track** (⑤).",
    "priorities.reason.no_target": "No target date: the rule can only recognise completion, so no status is computed.",
    "priorities.reason.no_progress": "No progress reported: no status is computed.",
    "priorities.reason_short.completed": "progress 100%",
    "priorities.reason_short.target_passed": "target date {target} passed at {progress}",
    "priorities.reason_short.behind": "{progress} done where the line expects {expected}",
    "priorities.reason_short.not_started": "no progress yet",
    "priorities.reason_short.on_pace": "{progress} done, the line expects {expected}",
    "priorities.reason_short.no_target": "no target date",
    "priorities.reason_short.no_progress": "no progress reported",
    # ------------------------------------------------------------------ one priority
    "priorities.detail.select": "Priority",
    "priorities.detail.select_help": "The priority shown below. The address bar keeps it, so a copied link opens it.",
    "priorities.detail.option": "{id} · {country} · {title}",
    "priorities.detail.facts": "{country} · theme: {theme} · target date {target} · first reported {first} · last "
    "update {last}",
    "priorities.detail.reported": "Reported {status}",
    "priorities.detail.computed": "by the rule {status}",
    "priorities.detail.line": "The line runs from 0% on {start} (end of {first}) to 100% on {target}.",
    "priorities.detail.slipping": "Slipping: {check}.",
    "priorities.thread.title": "Narrative and next steps, newest first",
    "priorities.thread.moved": "{movement} from {before}",
    "priorities.thread.no_new_narrative": "No new narrative.",
    "priorities.thread.first": "First recorded; no narrative.",
    "priorities.thread.next_steps": "**Next steps:** {text}",
    "priorities.thread.hint": "One entry per quarter whose return changed something; a text repeated from the quarter "
    "before is not shown again.",
    "priorities.chart.progress_title": "Progress of {id} against the rule",
    "priorities.chart.progress_subtitle": "As at the end of each quarter, up to {quarter}",
    "priorities.chart.axis.date": "Quarter end (date)",
    "priorities.chart.axis.progress": "Progress (%)",
    "priorities.chart.legend.series": "Line",
    "priorities.chart.legend.status": "Reported status",
    "priorities.chart.series.reported": "Reported progress",
    "priorities.chart.series.line": "Straight line to the target",
    "priorities.chart.series.threshold": "At risk below this ({gap} points under)",
    "priorities.chart.tooltip.quarter": "Quarter",
    "priorities.chart.tooltip.status": "Reported status",
    "priorities.chart.tooltip.reported": "Return",
    "priorities.chart.reported_yes": "changed this quarter",
    "priorities.chart.reported_no": "carried from an earlier quarter",
    "priorities.chart.as_at": "as at {quarter}",
    "priorities.chart.note": "Priority {id}. As at {quarter}.",
    "priorities.chart.col.quarter": "Quarter",
    "priorities.chart.col.quarter_end": "Quarter end",
    "priorities.chart.col.status": "Reported status",
    "priorities.chart.col.progress": "Progress (%)",
    "priorities.chart.col.expected": "Expected by the line (%)",
    "priorities.chart.col.reported": "Return",
    "priorities.milestones.heading": "Milestones",
    "priorities.milestones.none": "No milestones reported for this priority by the end of {quarter}.",
    "priorities.milestones.summary": "{done} of {total} done; {behind} past their due date and not done, "
    "as at {quarter}. Hollow circle: due date; filled mark: done on, or due.",
    "priorities.milestones.title": "Milestones of {id}",
    "priorities.milestones.subtitle": "Status as at {quarter}",
    "priorities.milestones.axis.date": "Date",
    "priorities.milestones.legend": "Status",
    "priorities.milestones.target": "target date",
    "priorities.milestones.reference": "Marks",
    "priorities.milestones.col.milestone": "Milestone",
    "priorities.milestones.col.status": "Status",
    "priorities.milestones.col.due": "Due",
    "priorities.milestones.col.done": "Done on",
    "priorities.milestones.col.timing": "Timing",
    "priorities.milestones.col.last_update": "Status reported in",
    "priorities.timing.on_time": "done on time",
    "priorities.timing.done_late": "done late",
    "priorities.timing.past_due": "past due",
    "priorities.timing.due": "not yet due",
    # ------------------------------------------------------------------ programme-wide
    "priorities.programme.by_country": "Priorities by status, per country",
    "priorities.programme.by_theme": "Priorities by status, per theme",
    "priorities.programme.subtitle": "Reported status as at {quarter}",
    "priorities.programme.axis.country": "Country",
    "priorities.programme.axis.theme": "Theme",
    "priorities.programme.axis.priorities": "Priorities (count)",
    "priorities.programme.col.country": "Country",
    "priorities.programme.col.theme": "Theme",
    "priorities.programme.col.status": "Status",
    "priorities.programme.col.priorities": "Priorities",
    "priorities.programme.table_title": "Per country as at {quarter}: reported status, disagreements with the rule, "
    "slipping",
}
