"""Errors and warnings found in a workbook, each naming its place."""

from __future__ import annotations

from dataclasses import dataclass, field

from .normalise import is_missing


@dataclass(frozen=True)
class Issue:
    sheet: str
    cell: str  # e.g. "F12"; "" when the problem concerns a whole sheet or the file
    message: str  # what is wrong, and what would be accepted
    value: str = ""  # the offending value as read, for display

    @property
    def place(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or "workbook"

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "place": self.place,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class IssueList:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, sheet: str, cell: str, message: str, value: object = "") -> None:
        self.errors.append(Issue(sheet, cell, message, _show(value)))

    def warn(self, sheet: str, cell: str, message: str, value: object = "") -> None:
        self.warnings.append(Issue(sheet, cell, message, _show(value)))

    def extend(self, other: IssueList) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


def _show(value: object) -> str:
    if is_missing(value):
        return ""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
