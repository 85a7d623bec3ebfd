package dev.llmcw.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.BF16Tensor;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The golden fixtures written by tools/reference/llama_ref.py, loaded without the HF folder loader. */
final class GoldenModels {
    private GoldenModels() {}

    record Golden(int[] tokens, int[] positions, float[][] logits) {}

    static Path resource(String name) {
        try {
            return Path.of(GoldenModels.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Golden golden(Path json) {
        try {
            JsonNode n = new ObjectMapper().readTree(json.toFile());
            int[] tokens = ints(n.get("tokens"));
            int[] positions = ints(n.get("positions"));
            float[][] logits = new float[positions.length][];
            for (int i = 0; i < positions.length; i++) {
                JsonNode row = n.get("logits").get(i);
                logits[i] = new float[row.size()];
                for (int j = 0; j < row.size(); j++)
                    logits[i][j] = (float) row.get(j).asDouble();
            }
            return new Golden(tokens, positions, logits);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** Same values as tiny-llama3/config.json. */
    static ModelConfig tinyLlama3Config() {
        return new ModelConfig(
                "llama",
                32,
                64,
                2,
                4,
                2,
                8,
                96,
                256,
                1e-5f,
                10000f,
                RopeLayout.ROTATE_HALF,
                new RopeScaling(8.0, 1.0, 4.0, 64),
                false,
                false);
    }

    /** Same values as tiny-qwen2/config.json. */
    static ModelConfig tinyQwen2Config() {
        return new ModelConfig(
                "qwen2", 32, 64, 2, 4, 2, 8, 96, 256, 1e-6f, 1000000f, RopeLayout.ROTATE_HALF, null, true, true);
    }

    static Model tiny(String folder, ModelConfig config) {
        Path dir = resource(folder);
        SafetensorsFile sf = SafetensorsFile.open(dir.resolve("model.safetensors"));
        Map<String, Tensor> tensors = new HashMap<>();
        for (String name : sf.entries().keySet()) tensors.put(name, sf.tensor(name));
        return new Model(config, tensors, Map.of(), null, dir, "hf", folder, Map.of());
    }

    /** The same model with every matrix rounded to BF16 (vectors stay F32). */
    static Model toBf16(Model m) {
        Map<String, Tensor> out = new HashMap<>();
        m.tensors().forEach((name, t) -> {
            if (t.rank() != 2) {
                out.put(name, t);
                return;
            }
            float[] f = t.toFloatArray();
            short[] h = new short[f.length];
            for (int i = 0; i < f.length; i++) h[i] = Half.floatToBf16(f[i]);
            out.put(name, new BF16Tensor(t.shape(), MemorySegment.ofArray(h)));
        });
        return new Model(
                m.config(), out, m.linears(), m.tokenizer(), m.source(), m.format(), m.label() + " bf16", m.metadata());
    }

    /** Every matrix stored as F16 or GGML Q8_0 (per 32 values: f16 scale = absmax/127, int8 codes). */
    static Model convert(Model m, DType type) {
        Map<String, Tensor> out = new HashMap<>();
        m.tensors().forEach((name, t) -> {
            if (t.rank() != 2) {
                out.put(name, t);
                return;
            }
            float[] f = t.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate((int) type.bytesFor(f.length)).order(ByteOrder.LITTLE_ENDIAN);
            switch (type) {
                case F16 -> {
                    for (float v : f) b.putShort(Half.floatToF16(v));
                }
                case Q8_0 -> {
                    for (int blk = 0; blk < f.length / 32; blk++) {
                        float amax = 0;
                        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(f[blk * 32 + j]));
                        short sh = Half.floatToF16(amax / 127f);
                        float d = Half.f16ToFloat(sh);
                        b.putShort(sh);
                        for (int j = 0; j < 32; j++) b.put((byte) (d == 0 ? 0 : Math.round(f[blk * 32 + j] / d)));
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
            out.put(name, Tensors.wrap(type, t.shape(), MemorySegment.ofArray(b.array())));
        });
        return new Model(
                m.config(),
                out,
                m.linears(),
                m.tokenizer(),
                m.source(),
                m.format(),
                m.label() + " " + type,
                m.metadata());
    }
}
