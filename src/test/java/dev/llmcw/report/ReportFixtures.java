package dev.llmcw.report;

import java.util.List;
import java.util.Map;

/** Hand-written rows for report tests (test inputs, not results anyone reports). */
final class ReportFixtures {
    private ReportFixtures() {}

    static List<RunRow> rows() {
        return List.of(
                new RunRow(
                        "1",
                        "stories260K",
                        "base",
                        Map.of(),
                        32.0,
                        1_100_000,
                        "piqa",
                        Map.of("acc", 0.52, "acc_stderr", 0.0117, "acc_norm", 0.50, "acc_norm_stderr", 0.0117),
                        "2026-11-23T17:00:00Z",
                        RunRow.Measured.UNKNOWN),
                new RunRow(
                        "2",
                        "stories260K",
                        "seedlm",
                        Map.of("C", "8", "P", "3", "K", "16"),
                        4.0,
                        300_000,
                        "piqa",
                        Map.of("acc", 0.515, "acc_stderr", 0.0117, "acc_norm", 0.49, "acc_norm_stderr", 0.0117),
                        "",
                        RunRow.Measured.UNKNOWN),
                new RunRow(
                        "3",
                        "stories260K",
                        "seedlm",
                        Map.of("C", "12", "P", "4", "K", "16"),
                        3.0,
                        240_000,
                        "piqa",
                        Map.of("acc", 0.505, "acc_stderr", 0.0117),
                        "",
                        RunRow.Measured.UNKNOWN),
                new RunRow(
                        "4",
                        "stories260K",
                        "rtn",
                        Map.of("bits", "4", "group", "64"),
                        4.25,
                        310_000,
                        "piqa",
                        Map.of("acc", 0.51, "acc_stderr", 0.0117),
                        "",
                        RunRow.Measured.UNKNOWN),
                new RunRow(
                        "5",
                        "stories260K",
                        "seedlm",
                        Map.of("C", "8", "P", "3", "K", "16"),
                        4.0,
                        300_000,
                        "tinystories",
                        Map.of("word_perplexity", 12.5, "kl_mean", 0.031),
                        "",
                        RunRow.Measured.UNKNOWN),
                new RunRow(
                        "6",
                        "stories260K",
                        "base",
                        Map.of(),
                        32.0,
                        1_100_000,
                        "tinystories",
                        Map.of("word_perplexity", 11.9),
                        "",
                        RunRow.Measured.UNKNOWN));
    }

    static List<LayerError> layerErrors() {
        return List.of(
                new LayerError("seedlm", "model.layers.0.self_attn.q_proj.weight", 0.11, Double.NaN),
                new LayerError("seedlm", "model.layers.0.mlp.up_proj.weight", 0.13, Double.NaN),
                new LayerError("seedlm", "model.layers.1.mlp.up_proj.weight", 0.12, Double.NaN),
                new LayerError("rtn", "model.layers.0.mlp.up_proj.weight", 0.08, Double.NaN),
                new LayerError("rtn", "model.layers.1.mlp.up_proj.weight", 0.09, Double.NaN));
    }
}
