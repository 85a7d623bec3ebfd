package dev.llmcw.model.gguf;

/**
 * A tensor as described in the GGUF header.
 *
 * @param dims     GGUF dimensions, fastest-varying first (ne0, ne1, ...)
 * @param ggmlType ggml_type number
 * @param offset   byte offset relative to the start of the data section
 * @param byteSize bytes of data, or -1 for types this workbench cannot size
 */
public record GgufTensorInfo(String name, long[] dims, int ggmlType, long offset, long byteSize) {

    /** Our row-major shape: GGUF dims reversed, so a matrix stored as [ne0=in, ne1=out] is {out, in}. */
    public long[] shape() {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) s[i] = dims[dims.length - 1 - i];
        return s;
    }

    public long numel() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }
}
