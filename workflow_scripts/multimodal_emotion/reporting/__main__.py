"""``python -m multimodal_emotion.reporting readme|check TABLES_DIR [README]``."""

from .readme import main

raise SystemExit(main())
