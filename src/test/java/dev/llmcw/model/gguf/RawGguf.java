package dev.llmcw.model.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Byte-level GGUF builder for tests that need files the writer would never produce. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    RawGguf bytes(byte... b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf i32(int v) {
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        return this;
    }

    RawGguf i64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i64(b.length);
        out.writeBytes(b);
        return this;
    }

    RawGguf header(int version, long tensors, long kvs) {
        return i32(GgufFile.MAGIC).i32(version).i64(tensors).i64(kvs);
    }

    /** A tensor info: name, dims (ne0 first), ggml type, data offset. */
    RawGguf tensor(String name, int type, long offset, long... dims) {
        str(name).i32(dims.length);
        for (long d : dims) i64(d);
        return i32(type).i64(offset);
    }

    RawGguf padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
