package dev.llmcw.model.gguf;

import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llama.cpp's legacy importance-matrix file ({@code imatrix.dat}, written by {@code llama-imatrix
 * --output-format dat}): int32 entry count, then per entry int32 name length, the GGUF tensor name, int32 ncall,
 * int32 nval and nval float32 sums; optional trailing chunk count and dataset name. Read as llama-quantize reads
 * it (common/imatrix-loader.cpp, tools/quantize/quantize.cpp at de3ff81): each sum divided by ncall in float when
 * ncall &gt; 0. The GGUF imatrix format is not read.
 */
public final class LlamaImatrixFile {
    private LlamaImatrixFile() {}

    /** Importance weights per GGUF tensor name ("blk.0.attn_q.weight"), one per column. */
    public static Map<String, float[]> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read the importance matrix: " + e.getMessage());
        }
        if (bytes.length >= 4 && bytes[0] == 'G' && bytes[1] == 'G' && bytes[2] == 'U' && bytes[3] == 'F')
            throw new ModelLoadException(
                    file,
                    "is a GGUF imatrix; only llama.cpp's legacy imatrix.dat format is read (llama-imatrix"
                            + " --output-format dat)");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> out = new LinkedHashMap<>();
        try {
            int entries = b.getInt();
            if (entries < 1) throw new ModelLoadException(file, "holds no importance-matrix entries");
            for (int i = 0; i < entries; i++) {
                int len = b.getInt();
                if (len < 0 || len > b.remaining())
                    throw new ModelLoadException(file, "entry " + (i + 1) + " has a name length of " + len);
                byte[] name = new byte[len];
                b.get(name);
                int ncall = b.getInt(), nval = b.getInt();
                if (nval < 1) throw new ModelLoadException(file, "entry " + (i + 1) + " has " + nval + " values");
                if ((long) nval * 4 > b.remaining()) throw new BufferUnderflowException();
                float[] v = new float[nval];
                for (int j = 0; j < nval; j++) {
                    float s = b.getFloat();
                    v[j] = ncall > 0 ? s / ncall : s;
                }
                out.put(new String(name, StandardCharsets.UTF_8), v);
            }
        } catch (BufferUnderflowException e) {
            throw new ModelLoadException(
                    file, "ends inside an importance-matrix entry (truncated or not an imatrix.dat)");
        }
        return out;
    }
}
