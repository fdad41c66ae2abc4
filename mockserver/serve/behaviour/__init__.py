"""What an operation does with its dataset: list, search, get, count, export, and writes.

The behaviours are generic; a fixture folder's declaration says which operation does
what, which parameters filter which record fields, and how pages are cut. Nothing here
knows any vendor. Every behaviour works on the dataset as the request's session sees it
(:mod:`mockserver.serve.sessions`); the writes are in :mod:`mockserver.serve.writes`.

One module per concept: :mod:`.engine` dispatches; :mod:`.selection` (scope, filters,
order), :mod:`.lists`, :mod:`.gets`, :mod:`.counts` and :mod:`.exports` answer; and
:mod:`.bodies` shapes what they serve (projections and envelopes).
"""

from mockserver.serve.behaviour.engine import BehaviourEngine
from mockserver.serve.behaviour.result import BehaviourResult

__all__ = ["BehaviourEngine", "BehaviourResult"]
