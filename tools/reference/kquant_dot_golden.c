// Golden values for the workbench's integer K-quant dot products (KQuantDotGoldenTest).
// Reads the committed 4x512 input (src/test/resources/golden/gguf/kquant/input.f32), quantises it per type
// with llama.cpp's ggml_quantize_chunk (the same blocks as kquant-golden.gguf; an FNV-1a checksum of the
// bytes is written so the test can check that), quantises fixed activation rows to Q8_K with llama.cpp's
// quantize_row_q8_K_ref, and writes per type, weight row and activation row two dot products:
// ggml_vec_dot_T_q8_K_generic (the reference C, as compiled in this build) and the CPU backend's own
// vec_dot (type_traits_cpu, the SIMD kernel llama-perplexity runs). Text output, floats as hex bits.
// Likewise Q5_0 and Q5_1 against Q8_0 / Q8_1 activations (quantize_row_q8_0_ref / _q8_1_ref,
// ggml_vec_dot_q5_0_q8_0_generic / ggml_vec_dot_q5_1_q8_1_generic).
// Built and run by kquant_dot_golden.sh.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "ggml-cpu.h"

#define ROWS 4
#define COLS 512
#define XROWS 4
#define QK_K 256

typedef struct {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
} block_q8_K;

void quantize_row_q8_K_ref(const float *x, block_q8_K *y, int64_t k);
typedef void (*dot_fn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q2_K_q8_K_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q3_K_q8_K_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_K_q8_K_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_K_q8_K_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q6_K_q8_K_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);

// The 32-value types with Q8_0 / Q8_1 activations (ggml-common.h's blocks, FP16 scales).
#define QK8 32
typedef struct {
    ggml_fp16_t d;
    int8_t qs[QK8];
} block_q8_0;
typedef struct {
    ggml_fp16_t d;
    ggml_fp16_t s;  // d * sum(qs)
    int8_t qs[QK8];
} block_q8_1;
void quantize_row_q8_0_ref(const float *x, block_q8_0 *y, int64_t k);
void quantize_row_q8_1_ref(const float *x, block_q8_1 *y, int64_t k);
void ggml_vec_dot_q5_0_q8_0_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_1_q8_1_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);

static uint64_t state = 0x2545F4914F6CDD1Dull;

static double uniform(void) {  // xorshift64*, in (0, 1)
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return ((state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
}

static double gauss(void) { return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform()); }

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT_F32 OUT_TXT\n", argv[0]);
        return 2;
    }
    static float w[ROWS * COLS];
    FILE *in = fopen(argv[1], "rb");
    if (!in || fread(w, sizeof w, 1, in) != 1) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(in);
    ggml_cpu_init();
    // Activation rows: Gaussian; a negative value of largest magnitude with outliers (the scale's sign);
    // an all-zero super-block then tiny values; ties at half a step (rounding to even).
    static float x[XROWS * COLS];
    for (int i = 0; i < COLS; i++) {
        x[i] = (float)gauss();
        x[COLS + i] = (float)(0.3 * gauss() * ((i % 61) == 7 ? 20.0 : 1.0));
        x[2 * COLS + i] = i < QK_K ? 0.0f : (float)(1e-5 * gauss());
        x[3 * COLS + i] = (float)((i % 255) - 127) + ((i % 3) == 0 ? 0.5f : 0.0f);
    }
    x[COLS + 300] = -25.0f;
    x[3 * COLS + 5] = -127.0f;
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    fprintf(out, "# llama.cpp Q8_K activations and K-quant dot products; written by tools/reference/kquant_dot_golden.sh\n");
    static block_q8_K q8[XROWS][COLS / QK_K];
    memset(q8, 0, sizeof q8);
    for (int r = 0; r < XROWS; r++) {
        fprintf(out, "x %d", r);
        for (int i = 0; i < COLS; i++) fprintf(out, " %08x", bits(x[r * COLS + i]));
        fprintf(out, "\n");
        quantize_row_q8_K_ref(x + r * COLS, q8[r], COLS);
        for (int b = 0; b < COLS / QK_K; b++) {
            fprintf(out, "q8k %d %d %08x", r, b, bits(q8[r][b].d));
            for (int i = 0; i < QK_K; i++) fprintf(out, " %d", q8[r][b].qs[i]);
            for (int i = 0; i < QK_K / 16; i++) fprintf(out, " %d", q8[r][b].bsums[i]);
            fprintf(out, "\n");
        }
    }
    const enum ggml_type types[] = {GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K};
    const dot_fn generic[] = {ggml_vec_dot_q2_K_q8_K_generic, ggml_vec_dot_q3_K_q8_K_generic,
                              ggml_vec_dot_q4_K_q8_K_generic, ggml_vec_dot_q5_K_q8_K_generic,
                              ggml_vec_dot_q6_K_q8_K_generic};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        enum ggml_type type = types[t];
        size_t row = ggml_row_size(type, COLS);
        uint8_t *q = malloc(row * ROWS);
        ggml_quantize_chunk(type, w, q, 0, ROWS, COLS, NULL);
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < row * ROWS; i++) h = (h ^ q[i]) * 16777619u;
        fprintf(out, "blocks %s %08x\n", ggml_type_name(type), h);
        const struct ggml_type_traits_cpu *cpu = ggml_get_type_traits_cpu(type);
        if (cpu->vec_dot_type != GGML_TYPE_Q8_K) {
            fprintf(stderr, "%s: vec_dot_type is not Q8_K\n", ggml_type_name(type));
            return 1;
        }
        for (int r = 0; r < ROWS; r++) {
            for (int a = 0; a < XROWS; a++) {
                float g = 0, s = 0;
                generic[t](COLS, &g, 0, q + r * row, 0, q8[a], 0, 1);
                cpu->vec_dot(COLS, &s, 0, q + r * row, 0, q8[a], 0, 1);
                fprintf(out, "dot %s %d %d %08x %08x\n", ggml_type_name(type), r, a, bits(g), bits(s));
            }
        }
        free(q);
    }
    // Q5_0 x Q8_0 and Q5_1 x Q8_1: the activations (codes, scales as the F32 value of their FP16, Q8_1's s
    // likewise), then the dots as for the K-quants.
    static block_q8_0 q80[XROWS][COLS / QK8];
    static block_q8_1 q81[XROWS][COLS / QK8];
    for (int r = 0; r < XROWS; r++) {
        quantize_row_q8_0_ref(x + r * COLS, q80[r], COLS);
        quantize_row_q8_1_ref(x + r * COLS, q81[r], COLS);
        for (int b = 0; b < COLS / QK8; b++) {
            fprintf(out, "q80 %d %d %08x", r, b, bits(ggml_fp16_to_fp32(q80[r][b].d)));
            for (int i = 0; i < QK8; i++) fprintf(out, " %d", q80[r][b].qs[i]);
            fprintf(out, "\n");
            fprintf(out, "q81 %d %d %08x %08x", r, b, bits(ggml_fp16_to_fp32(q81[r][b].d)),
                    bits(ggml_fp16_to_fp32(q81[r][b].s)));
            for (int i = 0; i < QK8; i++) fprintf(out, " %d", q81[r][b].qs[i]);
            fprintf(out, "\n");
        }
    }
    const enum ggml_type types32[] = {GGML_TYPE_Q5_0, GGML_TYPE_Q5_1};
    const dot_fn generic32[] = {ggml_vec_dot_q5_0_q8_0_generic, ggml_vec_dot_q5_1_q8_1_generic};
    const enum ggml_type act32[] = {GGML_TYPE_Q8_0, GGML_TYPE_Q8_1};
    for (size_t t = 0; t < 2; t++) {
        enum ggml_type type = types32[t];
        size_t row = ggml_row_size(type, COLS);
        uint8_t *q = malloc(row * ROWS);
        ggml_quantize_chunk(type, w, q, 0, ROWS, COLS, NULL);
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < row * ROWS; i++) h = (h ^ q[i]) * 16777619u;
        fprintf(out, "blocks %s %08x\n", ggml_type_name(type), h);
        const struct ggml_type_traits_cpu *cpu = ggml_get_type_traits_cpu(type);
        if (cpu->vec_dot_type != act32[t]) {
            fprintf(stderr, "%s: unexpected vec_dot_type\n", ggml_type_name(type));
            return 1;
        }
        for (int r = 0; r < ROWS; r++) {
            for (int a = 0; a < XROWS; a++) {
                float g = 0, s = 0;
                const void *y = t == 0 ? (const void *)q80[a] : (const void *)q81[a];
                generic32[t](COLS, &g, 0, q + r * row, 0, y, 0, 1);
                cpu->vec_dot(COLS, &s, 0, q + r * row, 0, y, 0, 1);
                fprintf(out, "dot %s %d %d %08x %08x\n", ggml_type_name(type), r, a, bits(g), bits(s));
            }
        }
        free(q);
    }
    fclose(out);
    return 0;
}
