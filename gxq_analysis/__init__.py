"""gxq-analysis: monitoring and reporting for the Jiangyin High-tech Zone S&T Innovation
Three-Year Action Plan (2018–2020) (江阴高新区科技创新三年行动计划)."""

__version__ = "0.1.0"
