package dev.llmcw.cli;

import dev.llmcw.compress.seedlm.SeedLmBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "seedlm-bench",
        description =
                "Benchmark SeedLM: seed search blocks/s (4- and 3-bit presets) and on-the-fly matvec vs dense BF16/F32 at Llama-3.2-1B layer shapes.")
final class SeedLmBenchCommand implements Callable<Integer> {
    @Option(
            names = "--blocks",
            description = "blocks per search measurement (default ${DEFAULT-VALUE})",
            defaultValue = "20000")
    int blocks;

    @Option(
            names = "--seconds",
            description = "seconds per matvec measurement (default ${DEFAULT-VALUE})",
            defaultValue = "2")
    double seconds;

    @Option(names = "--skip-search", description = "only the matvec part")
    boolean skipSearch;

    @Option(names = "--skip-matvec", description = "only the search part")
    boolean skipMatvec;

    @Option(names = "--k24", description = "also time one full 2^24 LFSR cycle")
    boolean k24;

    @Override
    public Integer call() {
        var bench = new SeedLmBench(System.out);
        if (k24) bench.lfsrCycle(24);
        if (!skipSearch) bench.search(blocks);
        if (!skipMatvec) bench.matvec(seconds);
        return 0;
    }
}
