"""The data model: the plan, periods, observations, series and departments."""
