package dev.llmcw.compress.caldera.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.engine.train.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
    /** Loss of a block: mean over its tokens t of (p[t mod 6] − t/10)²; its gradient by hand. */
    static final class Quadratic implements TrainingObjective {
        final Parameter p = new Parameter("p", new float[6]);
        final List<int[]> seen = new ArrayList<>();

        @Override
        public double loss(int[] tokens) {
            double s = 0;
            for (int t : tokens) s += Math.pow(p.value()[t % 6] - t / 10.0, 2);
            return s / tokens.length;
        }

        @Override
        public double lossAndGradients(int[] tokens) {
            seen.add(tokens);
            for (int t : tokens) p.grad()[t % 6] += (float) (2 * (p.value()[t % 6] - t / 10.0) / tokens.length);
            return loss(tokens);
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(p);
        }
    }

    private static List<int[]> blocks(int n) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new int[] {i, i + 7, 3 * i + 1});
        return out;
    }

    private static final FinetuneSettings SETTINGS =
            new FinetuneSettings(3, 3, 0.05, 0.01, 0.2, 0.5, 2, 7, false, false);

    @Test
    void trainingLowersTheLossAndVisitsEveryBlockOncePerEpochInASeededOrder() throws IOException {
        var q = new Quadratic();
        var t = new FineTuner(q, SETTINGS, blocks(5), blocks(2));
        double before = t.heldOutLoss();
        assertThat(t.totalSteps()).isEqualTo(9); // ceil(5/2) steps per epoch × 3 epochs
        List<FineTuner.Step> steps = new ArrayList<>();
        double after = t.run(steps::add, null);
        assertThat(after).isLessThan(before);
        assertThat(steps).hasSize(9);
        assertThat(steps.getFirst().lr()).isZero(); // warm-up starts at 0, as Hugging Face's schedule
        assertThat(steps.getLast().heldOutLoss()).isEqualTo(after);
        for (int e = 0; e < 3; e++)
            assertThat(q.seen.subList(5 * e, 5 * e + 5)).containsExactlyInAnyOrderElementsOf(blocks(5));
        assertThat(q.seen.subList(0, 5)).isNotEqualTo(q.seen.subList(5, 10)); // a fresh order per epoch
        var again = new Quadratic();
        new FineTuner(again, SETTINGS, blocks(5), blocks(2)).run(null, null);
        assertThat(again.p.value()).containsExactly(q.p.value());
    }

    @Test
    void anInterruptedRunResumedFromItsCheckpointEndsWhereAnUninterruptedOneDoes(@TempDir Path dir) throws IOException {
        var whole = new Quadratic();
        new FineTuner(whole, SETTINGS, blocks(5), blocks(2)).run(null, null);

        Path ckpt = dir.resolve("ckpt.safetensors");
        var first = new Quadratic();
        var interrupted = new FineTuner(first, SETTINGS, blocks(5), blocks(2)).checkpointing(ckpt, 4);
        assertThatThrownBy(() -> interrupted.run(
                        s -> {
                            if (s.step() == 6) throw new IOException("killed");
                        },
                        null))
                .hasMessage("killed");
        var second = new Quadratic(); // a fresh process: parameters from the compressed file, state from the checkpoint
        var resumed = new FineTuner(second, SETTINGS, blocks(5), blocks(2)).resumeFrom(ckpt);
        assertThat(resumed.nextStep()).isEqualTo(4);
        resumed.run(null, null);
        assertThat(second.p.value()).containsExactly(whole.p.value());

        var other = new FinetuneSettings(3, 3, 0.01, 0.01, 0.2, 0.5, 2, 7, false, false);
        assertThatThrownBy(() -> new FineTuner(new Quadratic(), other, blocks(5), blocks(2)).resumeFrom(ckpt))
                .hasMessageContaining("this checkpoint is of another run");
    }
}
