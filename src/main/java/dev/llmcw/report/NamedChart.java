package dev.llmcw.report;

import org.jfree.chart.JFreeChart;

/** A chart with a file-safe name ("piqa-acc-vs-bits") for export and reports. */
public record NamedChart(String name, String title, JFreeChart chart) {}
