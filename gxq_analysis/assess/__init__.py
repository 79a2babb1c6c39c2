"""The assessment stage: from the tidy table and the plan to every judgement a report shows.

- ``progress``: the growth-ratio rule (neutral column); ``forecast``: the calibrated predictive
  distribution (parameters in ``forecast_calibration.json``, fitted by ``calibration``);
  ``outlook``: that forecast for one target from the plan and the table;
- ``status`` (the status table) and ``status_table`` (`gxq status`); ``pace`` (in-year pace);
  ``trajectory`` (paths to the plan's final year); ``benchmarks`` (the zone next to 全国 / 江苏省);
- ``index`` (the innovation-capability index) and ``evaluation`` (the annual evaluation);
- ``backtest`` and ``calibration`` (how well the method did, on the zone and on public panels);
- ``period``: one assessment per period, computed once for a whole pack.

Reader-facing words are the i18n domains ``assess`` and ``assess_evaluation``.
"""
