"""What the browser tests check on every page: axe-core's verdict and sideways scrolling.

axe-core comes from npm (pinned in package-lock.json) and is read from node_modules, so it is never served
to customers. It is evaluated through the DevTools protocol, which the shop's strict CSP does not block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@dataclass
class PageAudit:
    name: str
    violations: list[str] = field(default_factory=list)  # "rule-id (impact): first target", critical and serious
    overflow_px: int = 0  # how far the page scrolls sideways; 0 is what we want

    def row(self) -> str:
        problems = "; ".join(self.violations) or "-"
        return f"| {self.name} | {len(self.violations)} | {self.overflow_px} | {problems} |"


def axe_violations(page) -> list[str]:
    """Critical and serious axe-core violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, target: v.nodes[0].target.join(" ")}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['target']}" for v in found if v["impact"] in BLOCKING]


def sideways_overflow(page) -> int:
    """Pixels the document is wider than the device's viewport. On an emulated phone the layout viewport
    (innerWidth) grows to fit content that is too wide, so the device width is the yardstick too."""
    width = min(page.viewport_size["width"], page.evaluate("window.innerWidth"))
    return page.evaluate("document.documentElement.scrollWidth") - width


def audit(page, name: str) -> PageAudit:
    return PageAudit(name, axe_violations(page), sideways_overflow(page))


def table(audits: list[PageAudit]) -> str:
    head = "| page | axe critical/serious | overflow px | details |\n|---|---|---|---|"
    return "\n".join([head, *(a.row() for a in audits)])
