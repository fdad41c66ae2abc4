"""The one "not sent" value: itself after a copy or a pickle, and distinct from None."""

from __future__ import annotations

import copy
import pickle

from mockserver.spec.sentinel import NOT_SENT, NotSent


def test_not_sent_survives_deepcopy_and_pickle_as_itself() -> None:
    assert copy.deepcopy({"body": NOT_SENT})["body"] is NOT_SENT
    assert pickle.loads(pickle.dumps(NOT_SENT)) is NOT_SENT


def test_not_sent_is_not_none_and_reads_as_its_name() -> None:
    assert NOT_SENT is not None and NOT_SENT != None  # noqa: E711  (None can be sent)
    assert isinstance(NOT_SENT, NotSent) and list(NotSent) == [NOT_SENT]
    assert repr(NOT_SENT) == "NOT_SENT"
