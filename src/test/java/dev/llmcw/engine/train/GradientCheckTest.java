package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences of the loss (computed in double from the float32 forward pass) against the
 * analytic gradients of every trainable value: adapters A and B on all eight projections of each block and
 * the classifier, every RMSNorm weight, and dLoss/d(input rows) through the whole stack.
 */
class GradientCheckTest {
    /** Step of the central differences: small enough for O(h²) truncation, large against float32 noise in the loss. */
    private static final double H = 1e-2;
    /** Allowed |fd − analytic| = ABS · (largest |analytic| of that tensor) + REL · |analytic|. */
    private static final double ABS = 2e-3, REL = 1e-2;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("bias, tied, interleaved", TinyModels.config(true, true, RopeLayout.INTERLEAVED, null)),
                Arguments.of(
                        "no bias, untied, rotate-half, llama3 scaling",
                        TinyModels.config(false, false, RopeLayout.ROTATE_HALF, new RopeScaling(8, 1, 4, 16))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyGradientMatchesFiniteDifferences(String label, ModelConfig config) {
        Model m = TinyModels.model(config, 7);
        LlamaTrainingModel model = new LlamaTrainingModel(m, TinyModels.adapters(m, 2, 11), TrainableNorms.all());
        int[] tokens = TinyModels.tokens(13, config.vocabSize(), 5);
        int[] targets = model.targets(tokens);
        float[] input = model.embed(tokens);
        float[] dInput = new float[input.length];
        model.lossAndGradients(input, targets, dInput);
        // 2 layers × (2 norms + 7 adapters × 2) + final norm + classifier adapter × 2
        assertThat(model.parameters()).hasSize(2 * 16 + 1 + 2);
        List<String> failures = new ArrayList<>();
        for (Parameter p : model.parameters())
            check(p.name(), p.value(), p.grad(), () -> model.loss(input, targets), failures);
        check("input rows", input, dInput, () -> model.loss(input, targets), failures);
        assertThat(failures).as(label).isEmpty();
    }

    private static void check(String name, float[] values, float[] grad, DoubleSupplier loss, List<String> failures) {
        double scale = 0;
        for (float g : grad) scale = Math.max(scale, Math.abs(g));
        assertThat(scale).as(name + " has a gradient").isGreaterThan(0);
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            values[i] = (float) (v + H);
            double plus = loss.getAsDouble();
            values[i] = (float) (v - H);
            double minus = loss.getAsDouble();
            values[i] = v;
            double fd = (plus - minus) / ((double) (float) (v + H) - (float) (v - H));
            double err = Math.abs(fd - grad[i]), allowed = ABS * scale + REL * Math.abs(grad[i]);
            if (err > allowed) failures.add(name + "[" + i + "]: finite difference " + fd + ", analytic " + grad[i]);
        }
    }
}
