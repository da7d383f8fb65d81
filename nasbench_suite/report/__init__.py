"""Reports of run folders: one self-contained HTML file and a multi-page PDF with the same content.

content = build_content(["reports/runs/quick"])
write_html(content, "reports/quick.html")
write_pdf(content, "reports/quick.pdf")
"""

from nasbench_suite.report.content import ReportContent, build_content

__all__ = ["ReportContent", "build_content"]
