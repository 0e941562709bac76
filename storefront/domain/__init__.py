"""Plain-Python domain: catalog rules, pricing, lead times, planning and the stage machine.

Nothing in this package imports Flask or SQLAlchemy.
"""
