package dev.llmcw.cli;

import dev.llmcw.compress.seedlm.ExponentRule;
import dev.llmcw.compress.seedlm.SeedLmSweep;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "seedlm-sweep",
        description =
                "Sweep SeedLM (C, P, K) on Gaussian blocks: reconstruction error vs bits/weight (table, optional CSV).")
final class SeedLmSweepCommand implements Callable<Integer> {
    @Option(
            names = "--C",
            split = ",",
            description = "block lengths (default ${DEFAULT-VALUE})",
            defaultValue = "4,6,8,10,12,16")
    List<Integer> cs;

    @Option(
            names = "--P",
            split = ",",
            description = "coefficients per block (default ${DEFAULT-VALUE})",
            defaultValue = "1,2,3,4")
    List<Integer> ps;

    @Option(
            names = "--K",
            split = ",",
            description = "LFSR widths (default ${DEFAULT-VALUE})",
            defaultValue = "8,12,16")
    List<Integer> ks;

    @Option(
            names = "--blocks",
            description = "Gaussian blocks per setting (default ${DEFAULT-VALUE})",
            defaultValue = "2000")
    int blocks;

    @Option(
            names = "--max-bits",
            description = "skip settings above this many bits/weight (default ${DEFAULT-VALUE})",
            defaultValue = "5")
    double maxBits;

    @Option(names = "--exponent-rule", description = "range (default) or printed", defaultValue = "range")
    String rule;

    @Option(names = "--csv", description = "also write the points as CSV")
    Path csv;

    @Override
    public Integer call() throws IOException {
        var pts = SeedLmSweep.run(
                new SeedLmSweep.Grid(cs, ps, ks, ExponentRule.parse(rule), maxBits),
                blocks,
                42,
                (s, d, t, m) -> {
                    if (t > 0) System.err.printf("\r%s %d/%d %s      ", s, d, t, m);
                },
                CancellationToken.none());
        System.err.println();
        System.out.println("| C | P | K | bits/weight | NMSE | SNR dB | seconds |");
        System.out.println("|---|---|---|---|---|---|---|");
        StringBuilder sb = new StringBuilder("C,P,K,exponent_rule,bits_per_weight,blocks,nmse,snr_db,seconds\n");
        for (var p : pts) {
            double snr = -10 * Math.log10(p.nmse());
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %d | %d | %.3f | %.5f | %.2f | %.1f |%n",
                    p.c(),
                    p.p(),
                    p.k(),
                    p.bitsPerWeight(),
                    p.nmse(),
                    snr,
                    p.seconds());
            sb.append(String.format(
                    Locale.ROOT,
                    "%d,%d,%d,%s,%.6f,%d,%.8f,%.4f,%.3f%n",
                    p.c(),
                    p.p(),
                    p.k(),
                    p.rule(),
                    p.bitsPerWeight(),
                    p.blocks(),
                    p.nmse(),
                    snr,
                    p.seconds()));
        }
        if (csv != null) {
            AtomicFiles.writeString(csv, sb.toString());
            System.out.println("wrote " + csv);
        }
        return 0;
    }
}
