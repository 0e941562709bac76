"""The models and the migrations agree: autogenerate against the migrated test database finds nothing to do."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storefront.extensions import db


def test_autogenerate_finds_no_difference_between_the_models_and_the_migrated_schema(app_ctx):
    # the session's database was built by `flask db upgrade` (tests/conftest.py), not by create_all
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
