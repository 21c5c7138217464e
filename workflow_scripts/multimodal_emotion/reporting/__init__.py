"""Tables and figures of a run (the rule ``aggregate``) and the README's results block.

``tables`` (the summary and per-experiment tables), ``figures``, ``aggregate`` (the rule's
stage), ``readme`` (the README block and ``python -m multimodal_emotion.reporting``),
``labels`` (what tables and figures call models and protocols). The per-recording QC page
is another rule's: ``multimodal_emotion.quality_report``.
"""

from .aggregate import aggregate_stage, pooled_report
from .figures import label_positions
from .tables import collect_results, reference_rows_beside_models, summary_table, write_table

__all__ = ["aggregate_stage", "collect_results", "label_positions", "pooled_report", "reference_rows_beside_models",
           "summary_table", "write_table"]
