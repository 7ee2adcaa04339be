"""English messages of the Priorities page (merged into ``en`` by ``en.py``).
Status names come from the shared ``priority_status.*`` and
``milestone_status.*`` keys."""

MESSAGES: dict[str, str] = {
    "prio.title": "Priorities",
    "prio.title_as_at": "Priorities · {quarter}",
    "prio.subtitle": "{countries} · {n} priorities for 2024 onwards{not_started} · changes compared with "
                     "{previous}",
    "prio.subtitle_first": "{countries} · {n} priorities for 2024 onwards{not_started} · first quarter with data, "
                           "nothing to compare with",
    "prio.subtitle_not_started": ", {n} not started",
    "prio.empty.title": "No priorities reported",
    "prio.empty.body": "No priority of {countries} had been reported by the end of {quarter}. Priorities arrive "
                       "with the `Priorities` sheet of a quarterly return: choose a later quarter or other "
                       "countries in the sidebar, or upload a return.",
    # ------------------------------------------------------------------ tiles
    "prio.tile.on track.help": "Priorities whose reported status at the end of {quarter} is on track.",
    "prio.tile.at risk.help": "Priorities whose reported status at the end of {quarter} is at risk.",
    "prio.tile.off track.help": "Priorities whose reported status at the end of {quarter} is off track.",
    "prio.tile.completed.help": "Priorities reported completed by the end of {quarter}.",
    "prio.tile.disagree": "Rule disagrees",
    "prio.tile.disagree.help": "Priorities whose reported status differs from the status the rule computes from "
                               "progress and dates (see below the table).",
    "prio.tile.slipping": "Slipping",
    "prio.tile.slipping.help": "Priorities whose reported status is worse than a quarter earlier, or whose "
                               "progress has not changed for two quarters (completed ones excepted).",
    # ------------------------------------------------------------------ tabs
    "prio.tab.all": "All priorities",
    "prio.tab.detail": "One priority",
    "prio.tab.programme": "Programme-wide",
    # ------------------------------------------------------------------ table
    "prio.col.country": "Country",
    "prio.col.id": "ID",
    "prio.col.title": "Priority",
    "prio.col.title.help": "Click a row to open the priority.",
    "prio.col.reported": "Reported",
    "prio.col.reported.help": "The status the country reported (latest at or before the quarter).",
    "prio.col.computed": "By the rule",
    "prio.col.computed.help": "The status the rule below computes from progress, start and target date.",
    "prio.col.check": "Check",
    "prio.col.check.help": "Where the rule disagrees with the reported status, and why a priority is slipping.",
    "prio.col.progress": "Progress",
    "prio.col.progress.help": "Progress reported, 0-100%.",
    "prio.col.trend": "Trend",
    "prio.col.trend.help": "Progress (0-100%) as at the end of each quarter from {first} to {quarter}.",
    "prio.col.target": "Target date",
    "prio.col.last_update": "Last update",
    "prio.col.last_update.help": "The quarter of the latest return that changed this priority.",
    "prio.not_computed": "—",
    "prio.no_theme": "No theme",
    "prio.check.disagree": "Rule: {status}",
    "prio.check.worsened": "Worse than {quarter}",
    "prio.check.stalled": "Stalled since {since}",
    "prio.rule": "**The rule.** A straight line runs from 0% at the end of the priority's first reported quarter "
                 "(the 2023-Q4 baseline for the report's priorities) to 100% on its target date; the priority "
                 "is judged on the last day of the selected quarter. The first that applies: "
                 "① progress 100% → Completed; ② target date passed → Off track; ③ progress more than {gap} "
                 "points below the line → At risk; ④ progress 0% → Not started; ⑤ otherwise → On track. "
                 "Without a target date only ① applies. **Slipping:** the reported status is worse than a quarter "
                 "earlier, or progress has not changed for {stalled} quarters (not completed).",
    "prio.badge.disagree": ":violet-badge[Rule disagrees]",
    "prio.badge.slipping": ":orange-badge[Slipping]",
    # ------------------------------------------------------------------ questions for the meeting
    "prio.questions.title": "Questions for the meeting",
    "prio.questions.none": "As at {quarter} the rule agrees with every reported status and nothing is slipping.",
    "prio.questions.line": "{flags} **{id}** {title} · {country}: {parts}.  \n{why}",
    "prio.questions.disagree": "reported {reported}, by the rule {computed} ({why})",
    "prio.questions.worsened": "{before} in {previous}, {now} in {quarter}",
    "prio.questions.stalled": "progress stuck at {progress} since {since}",
    "prio.questions.narrative": ":gray[{quarter}:] _{text}_",
    "prio.questions.no_narrative": ":gray[_No narrative reported._]",
    "prio.questions.hint": "Open a priority from the table (click its row) or in the **One priority** tab for "
                           "its milestones and the full narrative.",
    # ------------------------------------------------------------------ the rule, in words
    "prio.ahead": "{gap} points ahead of the line",
    "prio.below": "{gap} points below the line",
    "prio.reason.completed": "Progress is 100%: **completed** (①).",
    "prio.reason.target_passed": "The target date {target} passed before {as_at} at {progress} progress: "
                                 "**off track** (②).",
    "prio.reason.behind": "By {as_at} the line expects {expected}; progress is {progress}, {gap} points below "
                          "it, more than {limit}: **at risk** (③).",
    "prio.reason.not_started": "Progress is 0% and the line expects {expected} by {as_at} ({position}, not more "
                               "than {limit}): **not started** (④).",
    "prio.reason.on_pace": "By {as_at} the line expects {expected}; progress is {progress} ({position}): "
                           "**on track** (⑤).",
    "prio.reason.no_target": "No target date: the rule can only recognise completion, so no status is computed.",
    "prio.reason.no_progress": "No progress reported: no status is computed.",
    "prio.reason_short.completed": "progress 100%",
    "prio.reason_short.target_passed": "target date {target} passed at {progress}",
    "prio.reason_short.behind": "{progress} done where the line expects {expected}",
    "prio.reason_short.not_started": "no progress yet",
    "prio.reason_short.on_pace": "{progress} done, the line expects {expected}",
    "prio.reason_short.no_target": "no target date",
    "prio.reason_short.no_progress": "no progress reported",
    # ------------------------------------------------------------------ one priority
    "prio.detail.select": "Priority",
    "prio.detail.select_help": "The priority shown below. The address bar keeps it, so a copied link opens it.",
    "prio.detail.option": "{id} · {country} · {title}",
    "prio.detail.facts": "{country} · theme: {theme} · target date {target} · first reported {first} · last "
                         "update {last}",
    "prio.detail.reported": "Reported {status}",
    "prio.detail.computed": "by the rule {status}",
    "prio.detail.line": "The line runs from 0% on {start} (end of {first}) to 100% on {target}.",
    "prio.detail.slipping": "Slipping: {check}.",
    "prio.thread.title": "Narrative and next steps, newest first",
    "prio.thread.moved": "{movement} from {before}",
    "prio.thread.no_new_narrative": "No new narrative.",
    "prio.thread.first": "First recorded; no narrative.",
    "prio.thread.next_steps": "**Next steps:** {text}",
    "prio.thread.hint": "One entry per quarter whose return changed something; a text repeated from the quarter "
                        "before is not shown again.",
    "prio.chart.progress_title": "Progress of {id} against the rule",
    "prio.chart.progress_subtitle": "As at the end of each quarter, up to {quarter}",
    "prio.chart.axis.date": "Quarter end (date)",
    "prio.chart.axis.progress": "Progress (%)",
    "prio.chart.legend.series": "Line",
    "prio.chart.legend.status": "Reported status",
    "prio.chart.series.reported": "Reported progress",
    "prio.chart.series.line": "Straight line to the target",
    "prio.chart.series.threshold": "At risk below this ({gap} points under)",
    "prio.chart.tooltip.quarter": "Quarter",
    "prio.chart.tooltip.status": "Reported status",
    "prio.chart.tooltip.reported": "Return",
    "prio.chart.reported_yes": "changed this quarter",
    "prio.chart.reported_no": "carried from an earlier quarter",
    "prio.chart.as_at": "as at {quarter}",
    "prio.chart.note": "Priority {id}. As at {quarter}.",
    "prio.chart.col.quarter": "Quarter",
    "prio.chart.col.quarter_end": "Quarter end",
    "prio.chart.col.status": "Reported status",
    "prio.chart.col.progress": "Progress (%)",
    "prio.chart.col.expected": "Expected by the line (%)",
    "prio.chart.col.reported": "Return",
    "prio.milestones.heading": "Milestones",
    "prio.milestones.none": "No milestones reported for this priority by the end of {quarter}.",
    "prio.milestones.summary": "{done} of {total} done; {behind} past their due date and not done, as at {quarter}. "
                               "Hollow circle: due date; filled mark: done on, or due.",
    "prio.milestones.title": "Milestones of {id}",
    "prio.milestones.subtitle": "Status as at {quarter}",
    "prio.milestones.axis.date": "Date",
    "prio.milestones.legend": "Status",
    "prio.milestones.target": "target date",
    "prio.milestones.reference": "Marks",
    "prio.milestones.col.milestone": "Milestone",
    "prio.milestones.col.status": "Status",
    "prio.milestones.col.due": "Due",
    "prio.milestones.col.done": "Done on",
    "prio.milestones.col.timing": "Timing",
    "prio.milestones.col.last_update": "Status reported in",
    "prio.timing.on_time": "done on time",
    "prio.timing.done_late": "done late",
    "prio.timing.past_due": "past due",
    "prio.timing.due": "not yet due",
    # ------------------------------------------------------------------ programme-wide
    "prio.programme.by_country": "Priorities by status, per country",
    "prio.programme.by_theme": "Priorities by status, per theme",
    "prio.programme.subtitle": "Reported status as at {quarter}",
    "prio.programme.axis.country": "Country",
    "prio.programme.axis.theme": "Theme",
    "prio.programme.axis.priorities": "Priorities (count)",
    "prio.programme.col.country": "Country",
    "prio.programme.col.theme": "Theme",
    "prio.programme.col.status": "Status",
    "prio.programme.col.priorities": "Priorities",
    "prio.programme.table_title": "Per country as at {quarter}: reported status, disagreements with the rule, "
                                  "slipping",
}
