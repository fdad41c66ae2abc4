"""The shared reporting layer: findings, rules, reporters and exit codes.

It sits below the verbs so that ``validate``, ``diff`` and ``contract`` report the same
way without importing one another: each verb owns its rules and registers them in a
:class:`~mockserver.report.findings.Registry` it builds itself; the command line hands
that registry, with the findings, to the reporters and to :func:`~mockserver.report.run.deliver`,
which writes the report and decides the exit code.
"""
