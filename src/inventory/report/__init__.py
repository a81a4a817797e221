"""Renderers of a build result: the Excel workbook and the HTML report."""
