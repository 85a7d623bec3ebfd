package dev.llmcw.results;

import dev.llmcw.engine.DeploymentProbe;
import dev.llmcw.model.Model;
import dev.llmcw.util.Parallel;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployment measurements of evaluated models on this machine: measured once per model (content hash),
 * CPU, thread count and protocol, after the model's evaluation, and looked up when runs become rows.
 */
public final class Deployments {
    private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

    private Deployments() {}

    /**
     * The stored measurement of this model on this machine, or a new one (measured now and stored).
     *
     * @param modelHash the runs' model hash; null or blank: nothing is measured
     */
    public static DeploymentRecord ensure(ResultsStore store, String modelHash, Model model) {
        return ensure(store, modelHash, () -> model);
    }

    /** As {@link #ensure(ResultsStore, String, Model)}, loading the model only when it must be measured. */
    public static DeploymentRecord ensure(ResultsStore store, String modelHash, Supplier<Model> model) {
        if (modelHash == null || modelHash.isBlank()) return null;
        DeploymentRecord known = onThisMachine(store).get(modelHash);
        return known != null ? known : measure(store, modelHash, model.get());
    }

    /** Measures the model now and stores it (replacing an earlier measurement on this machine). */
    public static DeploymentRecord measure(ResultsStore store, String modelHash, Model model) {
        LOG.info("measuring speed and memory ({})", DeploymentProbe.PROTOCOL);
        DeploymentProbe.Result r = DeploymentProbe.measure(model);
        var d = new DeploymentRecord(
                modelHash,
                MachineInfo.current().cpu(),
                r.threads(),
                DeploymentProbe.PROTOCOL,
                Instant.now(),
                r.prefillTokS(),
                r.decodeTokS(),
                r.weightBytes(),
                r.kvCacheBytes(),
                r.peakRssBytes());
        store.saveDeployment(d);
        LOG.info("deployment: {}", d.describe());
        return d;
    }

    /** Measurements on this machine's CPU with the current thread count, by model hash. */
    public static Map<String, DeploymentRecord> onThisMachine(ResultsStore store) {
        return store.deployments(MachineInfo.current().cpu(), Parallel.threads(), DeploymentProbe.PROTOCOL);
    }
}
