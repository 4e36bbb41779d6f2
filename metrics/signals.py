"""Signals other apps listen to.

`breaches_detected` is sent with sender=Breach and breach_ids=[…] once the transaction that
created those breaches has committed, so receivers always find the rows. Each id is sent once.
"""

import django.dispatch

breaches_detected = django.dispatch.Signal()
