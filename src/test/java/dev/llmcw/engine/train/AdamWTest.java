package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against PyTorch's AdamW and clip_grad_norm_ in float64 ({@code tools/reference/adamw_reference.py}). */
class AdamWTest {
    private static JsonNode golden() throws Exception {
        try (var in = AdamWTest.class.getResourceAsStream("/golden/train/adamw.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    @Test
    void accumulatedClippedScheduledStepsMatchPyTorch() throws Exception {
        JsonNode g = golden();
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < g.get("init").size(); i++)
            params.add(new Parameter("p" + i, floats(g.get("init").get(i))));
        var opt = AdamW.withDefaults(params, g.get("weight_decay").asDouble());
        int total = g.get("total").asInt(), accum = g.get("accum").asInt();
        var schedule = new LearningRateSchedule(
                g.get("peak_lr").asDouble(), g.get("warmup").asInt(), total, false);
        for (int s = 0; s < total; s++) {
            JsonNode step = g.get("steps").get(s);
            params.forEach(Parameter::zeroGrad);
            for (JsonNode micro : step.get("micro_grads"))
                for (int i = 0; i < params.size(); i++) {
                    float[] gr = params.get(i).grad(), add = floats(micro.get(i));
                    for (int j = 0; j < gr.length; j++) gr[j] += add[j];
                }
            GradientClipping.scale(params, 1.0 / accum);
            double norm = GradientClipping.clip(params, g.get("clip").asDouble());
            assertThat(norm).isCloseTo(step.get("norm").asDouble(), offset(1e-6 * (1 + norm)));
            assertThat(schedule.at(s)).isCloseTo(step.get("lr").asDouble(), offset(1e-15));
            opt.step(schedule.at(s));
            for (int i = 0; i < params.size(); i++) {
                float[] want = floats(step.get("params").get(i)),
                        got = params.get(i).value();
                // float32 state against float64: within a few float32 ulps of values near 1 over six steps
                for (int j = 0; j < want.length; j++) assertThat(got[j]).isCloseTo(want[j], offset(2e-6f));
            }
        }
        assertThat(opt.steps()).isEqualTo(total);
    }

    @Test
    void oneStepByHand() {
        // g = 0.5, lr = 0.1, λ = 0.01, p = 2: m̂ = g, v̂ = g², so p ← 2·(1 − 0.001) − 0.1·0.5/(0.5 + 1e-8)
        var p = new Parameter("p", new float[] {2f});
        p.grad()[0] = 0.5f;
        AdamW.withDefaults(List.of(p), 0.01).step(0.1);
        assertThat(p.value()[0]).isCloseTo((float) (2 * 0.999 - 0.1 * 0.5 / (0.5 + 1e-8)), offset(1e-7f));
    }

    @Test
    void schedulesWarmUpThenDecay() {
        var linear = new LearningRateSchedule(1.0, 2, 10, false);
        assertThat(new double[] {linear.at(0), linear.at(1), linear.at(2), linear.at(6), linear.at(10)})
                .containsExactly(new double[] {0, 0.5, 1, 0.5, 0}, offset(1e-15));
        var cosine = new LearningRateSchedule(1.0, 0, 4, true);
        assertThat(new double[] {cosine.at(0), cosine.at(1), cosine.at(2), cosine.at(4)})
                .containsExactly(new double[] {1, 0.5 + 0.5 * Math.cos(Math.PI / 4), 0.5, 0}, offset(1e-15));
        assertThat(LearningRateSchedule.warmupSteps(0.02, 120)).isEqualTo(3);
    }

    @Test
    void clippingLeavesSmallGradientsAndScalesLargeOnesToTheMaximum() {
        var a = new Parameter("a", new float[2]);
        a.grad()[0] = 3;
        a.grad()[1] = 4;
        assertThat(GradientClipping.clip(List.of(a), 10)).isEqualTo(5);
        assertThat(a.grad()).containsExactly(3, 4);
        GradientClipping.clip(List.of(a), 1);
        assertThat(GradientClipping.globalNorm(List.of(a))).isCloseTo(1, offset(1e-6));
        // float64 sum: 1e30² overflows float32 but not the norm
        a.grad()[0] = 1e30f;
        a.grad()[1] = 0;
        assertThat(GradientClipping.globalNorm(List.of(a))).isCloseTo(1e30, offset(1e24));
    }
}
