"""Loading OpenAPI documents into a plain, frozen model.

Nothing is imported here: the loader brings in the JSON Schema validators, and a process
that only needs a corner of ``spec`` (the ``serve`` parent, which never loads a document)
should not pay for them. Import :mod:`mockserver.spec.loader` and
:mod:`mockserver.spec.model` directly.
"""
