"""The rules, one concern per module. Every module here is discovered and imported by
:func:`studiofund.checks.registry.discover`; a module registers its rules by existing."""
