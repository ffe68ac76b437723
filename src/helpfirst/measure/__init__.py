"""Measure: scorecard definitions, the business-hours clock and the HTML report."""
