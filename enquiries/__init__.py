"""Callback requests: a family asks the council's team to contact them.

The family's contact details are the most sensitive thing the assistant keeps,
so this package keeps them in one table with a short life: the team sees them
with the command line tool (``python -m enquiries``), the family can withdraw a
request (which deletes the details at once), and ``purge`` deletes requests and
conversations older than the retention period.

* ``store``: the ``callback_requests`` table and every operation on it, and the
  purge and erasure of old requests and conversations.
* ``identity``: keyed hashes that link a request to a conversation, and reference codes.
* ``notify``: an email to the team that a request arrived, without the details.
* ``__main__``: the team's command line tool (``list``, ``purge``, ``report``, ...);
  the database is in ``storage/``, the report in ``insights/``.
"""

from enquiries.store import Enquiry, EnquiryStore, PurgeResult, StoreUnavailable

__all__ = ["Enquiry", "EnquiryStore", "PurgeResult", "StoreUnavailable"]
