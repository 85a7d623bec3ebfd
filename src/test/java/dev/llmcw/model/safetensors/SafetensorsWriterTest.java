package dev.llmcw.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static float[] randoms(int n, long seed) {
        var r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * 3;
        return v;
    }

    @Test
    void roundTripsEveryDtypeAndMetadata() throws Exception {
        float[] a = randoms(35, 1);
        byte[] u8 = {0, 1, (byte) 200, (byte) 255, 7};
        int[] ints = {Integer.MIN_VALUE, -1, 0, 42};
        Path p = dir.resolve("all.safetensors");
        long size = new SafetensorsWriter()
                .metadata("workbench.method", "rtn")
                .metadata("note", "ünïcode ✓")
                .add("f32", DType.F32, new long[] {5, 7}, a)
                .add("f16", DType.F16, new long[] {35}, a)
                .add("bf16", DType.BF16, new long[] {7, 5}, a)
                .addInts("i32", new long[] {2, 2}, ints)
                .addBytes("u8", new long[] {5}, u8)
                .add("scalar", DType.F32, new long[] {}, new float[] {2.5f})
                .write(p);
        assertThat(Files.size(p)).isEqualTo(size);
        var f = SafetensorsFile.open(p);
        assertThat(f.metadata()).containsEntry("workbench.method", "rtn").containsEntry("note", "ünïcode ✓");
        assertThat(f.entries().keySet()).containsExactly("f32", "f16", "bf16", "i32", "u8", "scalar");
        assertThat(f.tensor("f32").toFloatArray()).containsExactly(a);
        assertThat(f.tensor("f32").shape()).containsExactly(5, 7);
        float[] f16 = f.tensor("f16").toFloatArray(), bf16 = f.tensor("bf16").toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(f16[i]).isEqualTo(Half.f16ToFloat(Half.floatToF16(a[i])));
            assertThat(bf16[i]).isEqualTo(Half.bf16ToFloat(Half.floatToBf16(a[i])));
            assertThat(bf16[i]).isCloseTo(a[i], Offset.offset(Math.abs(a[i]) / 128));
        }
        assertThat(f.ints("i32")).containsExactly(ints);
        assertThat(f.byteArray("u8")).containsExactly(u8);
        assertThat(f.tensor("scalar").get(0)).isEqualTo(2.5f);
        assertThat(f.entry("scalar").shape()).isEmpty();
    }

    @Test
    void dataSectionIsEightByteAlignedForEveryHeaderLength() throws Exception {
        for (int len = 1; len <= 9; len++) {
            Path p = dir.resolve("align" + len + ".safetensors");
            new SafetensorsWriter()
                    .addBytes("x".repeat(len), new long[] {3}, new byte[] {1, 2, 3})
                    .write(p);
            var f = SafetensorsFile.open(p);
            assertThat(f.dataStart() % 8).as("header with name length %d", len).isZero();
            byte[] all = Files.readAllBytes(p);
            long hl = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat((8 + hl) % 8).isZero();
            assertThat(f.byteArray("x".repeat(len))).containsExactly(1, 2, 3);
        }
    }

    @Test
    void writesAtomicallyAndLeavesNoTemporaryFiles() throws Exception {
        Path p = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .add("w", DType.F32, new long[] {2}, new float[] {1, 2})
                .write(p);
        byte[] before = Files.readAllBytes(p);
        // A producer failing half-way must leave the previous file untouched and no partial file behind.
        var failing = new SafetensorsWriter()
                .add("w", DType.F32, new long[] {2}, new float[] {3, 4})
                .addStreamed("boom", "F32", new long[] {1000}, out -> {
                    out.write(new byte[100]);
                    throw new IOException("disk on fire");
                });
        assertThatThrownBy(() -> failing.write(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("disk on fire");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        try (var s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("model.safetensors");
        }
        // A successful rewrite replaces it.
        new SafetensorsWriter()
                .add("w", DType.F32, new long[] {2}, new float[] {5, 6})
                .write(p);
        assertThat(SafetensorsFile.open(p).tensor("w").toFloatArray()).containsExactly(5, 6);
    }

    @Test
    void streamedTensorsAreCheckedForSize() throws Exception {
        Path p = dir.resolve("short.safetensors");
        var w = new SafetensorsWriter().addStreamed("w", "BF16", new long[] {4}, out -> out.write(new byte[6]));
        assertThatThrownBy(() -> w.write(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tensor w produced 6 bytes, expected 8");
        assertThat(Files.exists(p)).isFalse();
    }

    @Test
    void streamedAndConvertedTensorsMatchTheArrayPath() throws Exception {
        float[] a = randoms(200_003, 7); // more than one conversion chunk
        var src = F32Tensor.of(a, 200_003);
        Path viaArray = dir.resolve("array.safetensors"), viaTensor = dir.resolve("tensor.safetensors");
        new SafetensorsWriter()
                .add("b", DType.BF16, new long[] {200_003}, a)
                .add("h", DType.F16, new long[] {200_003}, a)
                .add("f", DType.F32, new long[] {200_003}, a)
                .write(viaArray);
        new SafetensorsWriter()
                .add("b", DType.BF16, src)
                .add("h", DType.F16, src)
                .add("f", DType.F32, src)
                .write(viaTensor);
        assertThat(Files.readAllBytes(viaTensor)).isEqualTo(Files.readAllBytes(viaArray));
    }

    @Test
    void rejectsBadInput() {
        var w = new SafetensorsWriter().addBytes("a", new long[] {1}, new byte[1]);
        assertThatThrownBy(() -> w.addBytes("a", new long[] {1}, new byte[1])).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> w.addBytes("__metadata__", new long[] {1}, new byte[1]))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> w.addRaw("b", "F32", new long[] {3}, new byte[8]))
                .hasMessageContaining("needs 12 bytes");
        assertThatThrownBy(() -> w.addRaw("c", "F24", new long[] {3}, new byte[8]))
                .hasMessageContaining("F24");
        assertThatThrownBy(() -> w.add("d", DType.Q8_0, new long[] {32}, new float[32]))
                .hasMessageContaining("Q8_0");
    }
}
