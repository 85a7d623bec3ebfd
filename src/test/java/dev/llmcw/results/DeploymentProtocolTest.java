package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.engine.DeploymentProbe;
import dev.llmcw.util.Parallel;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment measurement is keyed by its protocol, which names how compressed models are loaded: one taken
 * while compressed files were decoded to dense layers (the protocol before 2026-12-07) is not reused for the
 * packed layers inference runs now; it is measured again.
 */
class DeploymentProtocolTest {
    private static final String DENSE_ERA_PROTOCOL = "prefill 64 + decode 32 tokens, median of 3 after 1 warm-up";

    @TempDir
    Path dir;

    @Test
    void aMeasurementOfTheDenseLoadingProtocolIsNotReused() {
        try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
            String cpu = MachineInfo.current().cpu();
            int threads = Parallel.threads();
            store.saveDeployment(
                    new DeploymentRecord("h", cpu, threads, DENSE_ERA_PROTOCOL, Instant.now(), 1, 2, 3, 4, 5));
            assertThat(DeploymentProbe.PROTOCOL).isNotEqualTo(DENSE_ERA_PROTOCOL);
            assertThat(Deployments.onThisMachine(store)).doesNotContainKey("h");

            store.saveDeployment(
                    new DeploymentRecord("h", cpu, threads, DeploymentProbe.PROTOCOL, Instant.now(), 1, 2, 3, 4, 5));
            assertThat(Deployments.onThisMachine(store)).containsKey("h");
        }
    }
}
