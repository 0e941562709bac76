"""Server-rendered SVG geometry for the projected-stock charts (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.forecast import ComponentForecast

WIDTH, HEIGHT, PAD = 168, 56, 4


@dataclass(frozen=True)
class StockChart:
    width: int
    height: int
    points: str  # polyline points of projected free stock
    zero_y: float  # where stock runs out
    safety_y: float  # the safety-stock line
    run_out_x: float | None
    low: float
    high: float
    first_day: str
    last_day: str


def stock_chart(result: ComponentForecast) -> StockChart:
    """Scale the projection into a small chart, with the zero and safety-stock lines."""
    levels = [level for _, level in result.projection]
    low = min(0.0, *levels)
    high = max(1.0, float(result.safety_stock), *levels)
    span = high - low
    step = (WIDTH - 2 * PAD) / max(1, len(levels) - 1)

    def y(value: float) -> float:
        return round(PAD + (high - value) / span * (HEIGHT - 2 * PAD), 1)

    points = " ".join(f"{round(PAD + i * step, 1)},{y(v)}" for i, v in enumerate(levels))
    run_out_x = None
    if result.run_out is not None:
        index = next(i for i, (day, _) in enumerate(result.projection) if day == result.run_out)
        run_out_x = round(PAD + index * step, 1)
    days = result.projection
    return StockChart(
        WIDTH, HEIGHT, points, y(0), y(result.safety_stock), run_out_x, low, high, f"{days[0][0]}", f"{days[-1][0]}"
    )
