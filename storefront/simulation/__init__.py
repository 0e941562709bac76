"""A synthetic workshop for measuring how often the shop keeps its delivery promises."""
