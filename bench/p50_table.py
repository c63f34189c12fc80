"""The Markdown table ui_bench.py and multi_bench.py print: one row a measure, its p50 / p95 and its target."""

from __future__ import annotations

from percentiles import median_p95


class P50Table:
    """Rows of (measure, file, p50, p95, target), added from samples (`add`) or as ready text (`row`)."""

    def __init__(self, file_header: str = "file") -> None:
        self.file_header = file_header
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, measure: str, file: str, values: list[float], target: str, unit: str = "ms",
            fmt: str = ".0f") -> None:
        p50, p95 = median_p95(values)
        self.rows.append((measure, file, f"{p50:{fmt}} {unit}", f"{p95:{fmt}} {unit}", target))

    def row(self, measure: str, file: str, p50: str, p95: str, target: str) -> None:
        self.rows.append((measure, file, p50, p95, target))

    def markdown(self) -> str:
        lines = [f"| measure | {self.file_header} | p50 | p95 | target |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines)
