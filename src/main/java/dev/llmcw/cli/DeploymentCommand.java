package dev.llmcw.cli;

import dev.llmcw.engine.DeploymentProbe;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "deployment",
        description = {
            "How a model runs on this machine: decode and prefill tokens/s and the memory it needs (weights as held",
            "in memory + KV cache), under the fixed protocol: " + DeploymentProbe.PROTOCOL + ".",
            "Stored in the results database by model content hash, CPU and thread count, so that the charts can put",
            "accuracy against speed and memory. `eval` and suites measure each evaluated model once on their own;",
            "this command measures (or re-measures) one model."
        })
final class DeploymentCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    DbOption dbOption = new DbOption();

    @Override
    public Integer call() {
        Model m = ModelLoader.loadForInference(modelOptions.model(), modelOptions.tokenizer());
        String hash = ModelHashes.contentHash(modelOptions.model());
        try (ResultsStore store = dbOption.open()) {
            DeploymentRecord before = Deployments.onThisMachine(store).get(hash);
            DeploymentRecord d = Deployments.measure(store, hash, m);
            System.out.println(modelOptions.model() + ": " + d.describe());
            System.out.println("protocol: " + d.protocol());
            System.out.printf(
                    Locale.ROOT,
                    "weights %.2f MB + KV cache %.2f MB; process peak RSS %s%n",
                    d.weightBytes() / 1e6,
                    d.kvCacheBytes() / 1e6,
                    d.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MB", d.peakRssBytes() / 1e6));
            if (before != null) System.out.println("replaces the measurement of " + before.created());
        }
        return 0;
    }
}
