package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loss and every gradient against PyTorch autograd in float64 (tools/reference/grad_reference.py, fixtures
 * under golden/grad/): the same tiny models, rank-2 adapters with non-zero A and B on every projection,
 * every RMSNorm weight trainable, and dLoss/d(input rows).
 */
class GradientReferenceTest {
    /** Loss: relative. Gradients (observed: within 3e-6 of the largest): |java − torch| ≤ ABS · (largest |torch| of that tensor) + REL · |torch|. */
    private static final double LOSS_REL = 1e-6, ABS = 1e-5, REL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"bias-tied-interleaved", "untied-rotate-half-llama3"})
    void lossAndGradientsMatchPyTorch(String fixture) throws IOException {
        Path dir = resource("grad/" + fixture);
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        LlamaTrainingModel model = model(dir, fixture);
        int[] tokens = new ObjectMapper().convertValue(golden.get("tokens"), int[].class);
        float[] dInput = new float[(tokens.length - 1) * model.config().dim()];
        double loss = model.lossAndGradients(tokens, dInput);
        double want = golden.get("loss").asDouble();
        assertThat(loss).isCloseTo(want, offset(LOSS_REL * want));
        List<String> failures = new ArrayList<>();
        JsonNode grads = golden.get("grads");
        assertThat(model.parameters()).hasSize(grads.size());
        for (Parameter p : model.parameters()) compare(p.name(), p.grad(), grads.get(p.name()), failures);
        compare("input rows", dInput, golden.get("input_grad"), failures);
        assertThat(failures).isEmpty();
    }

    /**
     * The block-wise objective (tools/reference/block_mse_reference.py, golden/grad/block-mse.json): block 1 of
     * the first fixture on given input rows against a given target, its MSE and the gradients of the block's
     * norms and adapters.
     */
    @Test
    void blockMseAndItsGradientsMatchPyTorch() throws IOException {
        JsonNode golden =
                new ObjectMapper().readTree(resource("grad/block-mse.json").toFile());
        LlamaTrainingModel model =
                model(resource("grad/" + golden.get("fixture").asText()), "block");
        int layer = golden.get("layer").asInt();
        float[] input = new ObjectMapper().convertValue(golden.get("input"), float[].class);
        float[] target = new ObjectMapper().convertValue(golden.get("target"), float[].class);
        int n = input.length / model.config().dim();
        double mse = model.blockMseAndGradients(layer, input, target, n);
        double want = golden.get("mse").asDouble();
        assertThat(mse).isCloseTo(want, offset(LOSS_REL * want));
        List<String> failures = new ArrayList<>();
        JsonNode grads = golden.get("grads");
        assertThat(model.blockParameters(layer)).hasSize(grads.size());
        for (Parameter p : model.blockParameters(layer)) compare(p.name(), p.grad(), grads.get(p.name()), failures);
        assertThat(failures).isEmpty();
    }

    /** The fixture's model with its adapters on every projection and every norm trainable. */
    private static LlamaTrainingModel model(Path dir, String fixture) throws IOException {
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        Model m = new Model(
                config(cfg), tensors(dir.resolve("model.safetensors")), Map.of(), null, dir, "hf", fixture, Map.of());
        Map<String, Tensor> adapterValues = tensors(dir.resolve("adapters.safetensors"));
        int rank = cfg.get("adapter_rank").asInt();
        Map<String, TrainableLinear> adapters = new HashMap<>();
        for (String name : TinyModels.projections(m.config())) {
            adapters.put(
                    name,
                    new LowRankAdapterLinear(
                            LlamaTrainingModel.frozenLayer(m, name),
                            new Parameter(
                                    name + ".A", adapterValues.get(name + ".A").toFloatArray()),
                            new Parameter(
                                    name + ".B", adapterValues.get(name + ".B").toFloatArray()),
                            rank));
        }
        return new LlamaTrainingModel(m, adapters, TrainableNorms.all());
    }

    private static void compare(String name, float[] got, JsonNode want, List<String> failures) {
        assertThat(want).as(name + " in the golden file").isNotNull();
        assertThat(got).as(name).hasSize(want.size());
        double scale = 0;
        for (JsonNode v : want) scale = Math.max(scale, Math.abs(v.asDouble()));
        for (int i = 0; i < got.length; i++) {
            double w = want.get(i).asDouble();
            if (Math.abs(got[i] - w) > ABS * scale + REL * Math.abs(w))
                failures.add(name + "[" + i + "]: " + got[i] + ", PyTorch " + w);
        }
    }

    private static ModelConfig config(JsonNode c) {
        JsonNode s = c.get("rope_scaling");
        RopeScaling scaling = s == null || s.isNull()
                ? null
                : new RopeScaling(
                        s.get("factor").asDouble(),
                        s.get("low_freq_factor").asDouble(),
                        s.get("high_freq_factor").asDouble(),
                        s.get("original_max_position_embeddings").asInt());
        return new ModelConfig(
                "llama",
                c.get("dim").asInt(),
                c.get("hidden_dim").asInt(),
                c.get("n_layers").asInt(),
                c.get("n_heads").asInt(),
                c.get("n_kv_heads").asInt(),
                c.get("head_dim").asInt(),
                c.get("vocab_size").asInt(),
                c.get("max_seq_len").asInt(),
                (float) c.get("rms_eps").asDouble(),
                (float) c.get("rope_theta").asDouble(),
                c.get("rope_layout").asText().equals("interleaved") ? RopeLayout.INTERLEAVED : RopeLayout.ROTATE_HALF,
                scaling,
                c.get("tied_embeddings").asBoolean(),
                c.get("attention_bias").asBoolean());
    }

    private static Map<String, Tensor> tensors(Path file) {
        SafetensorsFile sf = SafetensorsFile.open(file);
        Map<String, Tensor> t = new HashMap<>();
        for (String name : sf.entries().keySet()) t.put(name, sf.tensor(name));
        return t;
    }

    private static Path resource(String name) {
        try {
            return Path.of(
                    GradientReferenceTest.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
