"""Request generation from a document: Hypothesis strategies for schemas, requests built
from them and serialised for the wire.

It sits below the verbs because two of them draw requests: ``contract`` sends them to a
target, ``diff`` looks for a witness one document accepts and the other refuses.
"""
