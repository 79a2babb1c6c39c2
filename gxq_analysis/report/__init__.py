"""The report stage: report text, escaped HTML, number formatting, charts, one module per page family
(data quality, trajectories, quarterly brief, summary, track record), and `gxq report` (render, the
pack's outputs, the PDF browser, the xlsx export, the offline nbconvert template)."""
