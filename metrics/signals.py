"""Signals other apps listen to.

`breaches_detected` is sent with sender=Breach and breach_ids=[…] once the transaction that
created those breaches has committed, so receivers always find the rows. Each id is sent once.
"""

import django.dispatch

breaches_detected = django.dispatch.Signal()

# Sent with sender=SurveyResponse and inserted=<count> once an import that added responses has
# committed (every ingest path: file, API), so other apps can react to new answers. Webhook
# deliveries share one: sent by their catch-up task (inserted=None) a second after a window of
# deliveries opened, covering every response committed before it.
responses_imported = django.dispatch.Signal()
