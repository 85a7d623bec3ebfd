package dev.llmcw.compress.linalg;

/**
 * A matrix inside a double array, as {@link Dense#gemmAcc} reads and writes it: element (i, j) is
 * {@code data[offset + i·rowStride + j·colStride]}, so a row-major block, its transpose or any strided view.
 */
public record StridedMatrix(double[] data, int offset, int rowStride, int colStride) {
    /** Row-major rows: row i starts at {@code data[offset + i·stride]}, its elements are contiguous. */
    public static StridedMatrix rows(double[] data, int offset, int stride) {
        return new StridedMatrix(data, offset, stride, 1);
    }

    /** The transpose of row-major rows of {@code stride} elements starting at {@code offset}. */
    public static StridedMatrix transposedRows(double[] data, int offset, int stride) {
        return new StridedMatrix(data, offset, 1, stride);
    }
}
