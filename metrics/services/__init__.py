"""Every write of the metrics app. Import from here: `from metrics.services import …`."""

from metrics.services.breaches import breaches_detect
from metrics.services.rollups import RollupResult, rollup_incremental, rollup_rebuild

__all__ = ["RollupResult", "breaches_detect", "rollup_incremental", "rollup_rebuild"]
