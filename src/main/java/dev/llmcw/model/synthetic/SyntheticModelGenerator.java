package dev.llmcw.model.synthetic;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.hf.HfConfig;
import dev.llmcw.model.hf.HfTensorLayout;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a Llama checkpoint with deterministic random weights as a real Hugging Face folder
 * (config.json marked {@code "workbench_synthetic": true}, model.safetensors, a byte-level
 * tokenizer.json). Synthetic models exercise loading, compression, speed and size at real shapes;
 * their accuracy is meaningless, which the marker makes visible everywhere (model label, reports).
 * <p>
 * Weights: W ~ N(0, 1/fan_in) (fan_in = columns, so every projection — and the embedding and
 * classifier, whose columns are the hidden size — keeps unit-scale activations), RMSNorm weights 1,
 * biases N(0, 0.02²). Values are drawn in chunks of {@value #CHUNK} with one SplittableRandom per
 * (seed, tensor name, chunk), so the bytes depend only on the seed, never on thread count or order,
 * and chunks are generated in parallel while the file is written tensor by tensor: a 2.5 GB
 * Llama-3.2-1B never sits on the heap.
 */
public final class SyntheticModelGenerator {
    static final int CHUNK = 1 << 20;
    private static final int CHUNKS_PER_STEP = 8;

    private SyntheticModelGenerator() {}

    /** What was written. */
    public record Result(Path dir, ModelConfig config, long parameters, long weightFileBytes) {}

    /**
     * @param name model name recorded in config.json ("_name_or_path"); prefixed with "synthetic-" if it
     *             does not already say so
     */
    public static Result generate(
            ModelConfig config,
            String name,
            DType dtype,
            long seed,
            Path dir,
            ProgressListener progress,
            CancellationToken cancel)
            throws IOException {
        if (config.ropeLayout() != RopeLayout.ROTATE_HALF) {
            throw new IllegalArgumentException("synthetic HF folders use rotate-half RoPE");
        }
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("synthetic weights are F32, F16 or BF16, not " + dtype);
        }
        String fullName = name.contains("synthetic") ? name : "synthetic-" + name;
        Map<String, long[]> shapes = HfTensorLayout.expectedShapes(config);
        var writer = new SafetensorsWriter()
                .metadata("format", "pt")
                .metadata("synthetic_seed", Long.toString(seed))
                .metadata("synthetic_name", fullName);
        AtomicInteger done = new AtomicInteger();
        long params = 0;
        for (var e : shapes.entrySet()) {
            String tensor = e.getKey();
            long[] shape = e.getValue();
            long n = 1;
            for (long d : shape) n *= d;
            params += n;
            long numel = n;
            writer.addStreamed(tensor, dtype.name(), shape, out -> {
                writeTensor(tensor, shape, numel, dtype, seed, out, cancel);
                progress.update("generating " + fullName, done.incrementAndGet(), shapes.size(), tensor);
            });
        }
        Files.createDirectories(dir);
        long bytes = writer.write(dir.resolve("model.safetensors"));
        var json = HfConfig.toJson(config, dtype, true, ByteLevelTokenizerFiles.BOS_ID, ByteLevelTokenizerFiles.EOS_ID);
        json.put("_name_or_path", fullName);
        json.put("workbench_synthetic_seed", seed);
        byte[] cfg = (Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        SafetensorsWriter.writeAtomically(dir.resolve("config.json"), o -> o.write(cfg));
        ByteLevelTokenizerFiles.write(dir, config.vocabSize(), config.maxSeqLen());
        return new Result(dir, config, params, bytes);
    }

    private static void writeTensor(
            String tensor, long[] shape, long numel, DType dtype, long seed, OutputStream out, CancellationToken cancel)
            throws IOException {
        int width = dtype == DType.F32 ? 4 : 2;
        if (HfTensorLayout.isNorm(tensor)) {
            constant(1f, numel, dtype, out);
            return;
        }
        float std = HfTensorLayout.isBias(tensor) ? 0.02f : (float) (1 / Math.sqrt(shape[shape.length - 1]));
        long tensorSeed = seed * 0x9E3779B97F4A7C15L + fnv1a(tensor);
        long chunks = (numel + CHUNK - 1) / CHUNK;
        int slots = (int) Math.min(CHUNKS_PER_STEP, chunks);
        // Reused per slot: a 1B-parameter model streams through ~64 MB of buffers instead of churning the GC.
        float[][] values = new float[slots][(int) Math.min(CHUNK, numel)];
        ByteBuffer[] encoded = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            encoded[i] = ByteBuffer.allocate(values[i].length * width).order(ByteOrder.LITTLE_ENDIAN);
        }
        for (long c0 = 0; c0 < chunks; c0 += CHUNKS_PER_STEP) {
            cancel.throwIfCancelled();
            int step = (int) Math.min(CHUNKS_PER_STEP, chunks - c0);
            long first = c0;
            Parallel.forRange(0, step, 1, i -> {
                long chunk = first + i;
                int len = (int) Math.min(CHUNK, numel - chunk * CHUNK);
                var rnd = new SplittableRandom(tensorSeed + chunk * 0xBF58476D1CE4E5B9L);
                float[] v = values[i];
                for (int j = 0; j < len; j++) v[j] = (float) rnd.nextGaussian() * std;
                encoded[i].clear();
                SafetensorsWriter.encode(dtype, v, 0, len, encoded[i]);
            });
            for (int i = 0; i < step; i++) out.write(encoded[i].array(), 0, encoded[i].position());
        }
    }

    private static void constant(float value, long numel, DType dtype, OutputStream out) throws IOException {
        float[] v = new float[(int) numel];
        Arrays.fill(v, value);
        ByteBuffer bb =
                ByteBuffer.allocate(v.length * (dtype == DType.F32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
        SafetensorsWriter.encode(dtype, v, 0, v.length, bb);
        out.write(bb.array());
    }

    /** Stable 64-bit hash of a tensor name (String.hashCode is only 32 bits). */
    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
