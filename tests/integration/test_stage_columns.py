"""The stage registry names real work-order columns: a timestamp per stage entered, a date per stage planned."""

from datetime import date

from storefront.domain.stages import STAGES
from storefront.extensions import db
from storefront.models import WorkOrder
from storefront.timeutil import UTCDateTime


def test_every_column_a_stage_names_is_a_date_the_work_order_stores(paid_order):
    work_order = db.session.get(WorkOrder, paid_order.work_order.id)
    for stage in STAGES.values():
        if stage.started_column:
            assert getattr(work_order, stage.started_column, "missing") is None, stage.code
            assert isinstance(WorkOrder.__table__.columns[stage.started_column].type, UTCDateTime)
        if stage.planned_column:
            assert isinstance(getattr(work_order, stage.planned_column), date), stage.code
