"""Security policy of the sync server that is not a signature check: which site a device may write into.

:mod:`server.site_policy` holds the rule and the audited move; :mod:`server.security.schema`
its table; ``server/security/migrations`` the Alembic branch ``security`` that creates it.
"""
