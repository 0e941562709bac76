"""The stage registry: one record per stage, and the tables derived from it agree with it."""

from storefront.domain import progress
from storefront.domain.stages import (
    CUSTOMER_STEPS,
    FINAL_STAGES,
    MOVES,
    OPEN_STAGES,
    SLOT_HOLDING_STAGES,
    STAGES,
    StageCode,
)


def test_every_stage_code_has_exactly_one_record_keyed_by_its_code():
    assert list(STAGES) == list(StageCode)
    assert all(code is stage.code for code, stage in STAGES.items())


def test_every_move_goes_between_registered_stages_and_never_leaves_a_final_one():
    for move in MOVES.values():
        assert move.source in STAGES and move.target in STAGES
        assert move.source not in FINAL_STAGES


def test_a_stage_is_open_in_transit_or_final_and_only_open_stages_hold_slots():
    assert not set(OPEN_STAGES) & set(FINAL_STAGES)
    assert set(SLOT_HOLDING_STAGES) <= set(OPEN_STAGES)
    assert [s.code for s in STAGES.values() if not s.open and not s.final] == [StageCode.SHIPPED]


def test_each_stage_shows_the_customer_one_of_their_steps_unless_it_is_cancelled():
    assert [s.code for s in CUSTOMER_STEPS] == ["sourcing", "assembly", "testing", "shipping", "delivered"]
    assert {s.code: s.step for s in STAGES.values() if s.step not in (s.code, None)} == {"shipped": "shipping"}
    assert STAGES[StageCode.CANCELLED].step is None
    assert progress.STAGE_INDEX[StageCode.SHIPPED] == progress.STAGE_INDEX[StageCode.SHIPPING]
