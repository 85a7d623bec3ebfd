// Golden-file harness: runs llama.cpp's own quantizers (ggml/src/ggml-quants.c, included verbatim) on rows
// of floats. llama-quantize calls quantize_<type>(src, dst, nrow, n_per_row, imatrix), which is
// quantize_row_<type>_ref without an importance matrix and the *_impl variant with one; this calls the same.
//
// stdin:  int32 ggml_type, int32 nrow, int32 n_per_row, int32 has_imatrix,
//         float32[nrow * n_per_row] rows, then float32[n_per_row] importance weights if has_imatrix
// stdout: the quantized blocks, row after row
//
// Built with -ffp-contract=off so every float operation rounds on its own, as Java's float arithmetic does.
#include "ggml-quants.c"

#include <stdarg.h>

void ggml_abort(const char * file, int line, const char * fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

// Bytes per block and values per block of the types this harness handles (ggml-common.h).
static int block_bytes(enum ggml_type t, int * qk) {
    switch (t) {
        case GGML_TYPE_Q4_0:   *qk = QK4_0;  return sizeof(block_q4_0);
        case GGML_TYPE_Q8_0:   *qk = QK8_0;  return sizeof(block_q8_0);
        case GGML_TYPE_Q4_1:   *qk = QK4_1;  return sizeof(block_q4_1);
        case GGML_TYPE_Q5_0:   *qk = QK5_0;  return sizeof(block_q5_0);
        case GGML_TYPE_Q5_1:   *qk = QK5_1;  return sizeof(block_q5_1);
        case GGML_TYPE_IQ4_NL: *qk = QK4_NL; return sizeof(block_iq4_nl);
        case GGML_TYPE_Q2_K:   *qk = QK_K;   return sizeof(block_q2_K);
        case GGML_TYPE_Q3_K:   *qk = QK_K;   return sizeof(block_q3_K);
        case GGML_TYPE_Q4_K:   *qk = QK_K;   return sizeof(block_q4_K);
        case GGML_TYPE_Q5_K:   *qk = QK_K;   return sizeof(block_q5_K);
        case GGML_TYPE_Q6_K:   *qk = QK_K;   return sizeof(block_q6_K);
        default: fprintf(stderr, "unsupported type %d\n", t); exit(2);
    }
}

size_t ggml_row_size(enum ggml_type type, int64_t ne) {
    int qk;
    int bytes = block_bytes(type, &qk);
    return (size_t) bytes * (size_t) (ne / qk);
}

size_t ggml_type_size(enum ggml_type type) {
    int qk;
    return (size_t) block_bytes(type, &qk);
}

const char * ggml_type_name(enum ggml_type type) {
    (void) type;
    return "?";
}

static void read_all(void * p, size_t n) {
    if (fread(p, 1, n, stdin) != n) { fprintf(stderr, "short input\n"); exit(2); }
}

int main(void) {
    int32_t hdr[4];
    read_all(hdr, sizeof(hdr));
    enum ggml_type type = (enum ggml_type) hdr[0];
    int64_t nrow = hdr[1], n = hdr[2];
    float * x = malloc(sizeof(float) * nrow * n);
    read_all(x, sizeof(float) * nrow * n);
    float * qw = NULL;
    if (hdr[3]) {
        qw = malloc(sizeof(float) * n);
        read_all(qw, sizeof(float) * n);
    }
    size_t size = nrow * ggml_row_size(type, n);
    void * out = calloc(1, size);
    size_t written;
    switch (type) {
        case GGML_TYPE_Q4_0:   written = quantize_q4_0(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q8_0:   written = quantize_q8_0(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q4_1:   written = quantize_q4_1(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q5_0:   written = quantize_q5_0(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q5_1:   written = quantize_q5_1(x, out, nrow, n, qw); break;
        case GGML_TYPE_IQ4_NL: written = quantize_iq4_nl(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q2_K:   written = quantize_q2_K(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q3_K:   written = quantize_q3_K(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q4_K:   written = quantize_q4_K(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q5_K:   written = quantize_q5_K(x, out, nrow, n, qw); break;
        case GGML_TYPE_Q6_K:   written = quantize_q6_K(x, out, nrow, n, qw); break;
        default: fprintf(stderr, "unsupported type %d\n", type); return 2;
    }
    if (written != size) { fprintf(stderr, "wrote %zu bytes, expected %zu\n", written, size); return 2; }
    fwrite(out, 1, size, stdout);
    return 0;
}
