"""The owner's catalog editor: drafts, the catalog check, preview, publish, rollback, TOML import and export."""
