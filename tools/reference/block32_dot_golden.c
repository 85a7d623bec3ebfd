// Golden values for the workbench's integer dot products of the llama.cpp block types of 32 that pair with
// Q8_0 / Q8_1 activations (Block32DotGoldenTest): IQ4_NL x Q8_0 and Q4_1 x Q8_1.
// Reads the committed 4x512 input (src/test/resources/golden/gguf/kquant/input.f32), quantises it per type
// with llama.cpp's ggml_quantize_chunk (the same blocks as kquant-golden.gguf; an FNV-1a checksum of the
// bytes is written so the test can check that). The activation rows are built so that llama.cpp's FP16
// activation scales and sums are exact (x = code * d with d an FP16 value of few significant bits, one code
// of +-127 per block, |sum of codes| small): the workbench keeps them as floats, and with these rows both
// sides hold the same numbers, so the dot products can be compared bit for bit. They are quantised with
// llama.cpp's quantize_row_q8_0_ref / quantize_row_q8_1_ref and written out (d, s as float bits, codes).
// Per type, weight row and activation row two dot products: ggml_vec_dot_T_q8_x_generic (the reference C as
// compiled in this build) and the CPU backend's own vec_dot (type_traits_cpu, the AVX2 kernel).
// Text output, floats as hex bits. Built and run by kquant_dot_golden.sh. Another type of 32 with Q8_0/Q8_1
// activations is one line in TYPES below.
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
#define QK 32
#define NB (COLS / QK)

typedef struct {
    ggml_fp16_t d;
    int8_t qs[QK];
} block_q8_0;

typedef struct {
    ggml_fp16_t d;
    ggml_fp16_t s;
    int8_t qs[QK];
} block_q8_1;

void quantize_row_q8_0_ref(const float *x, block_q8_0 *y, int64_t k);
void quantize_row_q8_1_ref(const float *x, block_q8_1 *y, int64_t k);
typedef void (*dot_fn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq4_nl_q8_0_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_1_q8_1_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);

static const struct {
    enum ggml_type type;
    dot_fn generic;
} TYPES[] = {
    {GGML_TYPE_IQ4_NL, ggml_vec_dot_iq4_nl_q8_0_generic},
    {GGML_TYPE_Q4_1, ggml_vec_dot_q4_1_q8_1_generic},
};

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint32_t next(void) {  // xorshift64*
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 2685821657736338717ull) >> 32);
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

// One activation block: codes in [-127, 127] with code[at] = +-127 and |sum| <= limit, times scale d.
static void block(float *x, float d, int spread, int limit) {
    int q[QK], sum = 0, at = next() % QK;
    for (int i = 0; i < QK; i++) {
        q[i] = (int)(next() % (2 * spread + 1)) - spread;
        if (q[i] > 127) q[i] = 127;
        if (q[i] < -127) q[i] = -127;
    }
    q[at] = (next() & 1) ? 127 : -127;
    for (int i = 0; i < QK; i++) sum += q[i];
    for (int i = 0; sum > limit || sum < -limit; i = (i + 1) % QK) {  // walk the sum back, keeping q[at]
        if (i == at) continue;
        if (sum > limit && q[i] > -127) q[i]--, sum--;
        else if (sum < -limit && q[i] < 127) q[i]++, sum++;
    }
    for (int i = 0; i < QK; i++) x[i] = (float)q[i] * d;
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
    // Row 0: power-of-two scales, wide codes; row 1: scales of 4 significant bits, |sum| <= 127 (d*sum exact
    // in FP16); row 2: eight all-zero blocks, then the smallest normal FP16 scale; row 3: near-full codes.
    static float x[XROWS * COLS];
    for (int b = 0; b < NB; b++) {
        block(x + b * QK, ldexpf(1.0f, -4 - (int)(next() % 6)), 60, 2047);
        block(x + COLS + b * QK, ldexpf((float)(8 + next() % 8), -8 - (int)(next() % 4)), 127, 127);
        if (b < 8) memset(x + 2 * COLS + b * QK, 0, QK * sizeof(float));
        else block(x + 2 * COLS + b * QK, ldexpf(1.0f, -14), 127, 2047);
        block(x + 3 * COLS + b * QK, ldexpf(1.0f, -2), 127, 255);
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    fprintf(out, "# llama.cpp Q8_0/Q8_1 activations and dot products of IQ4_NL, Q4_1; written by tools/reference/kquant_dot_golden.sh\n");
    static block_q8_0 q80[XROWS][NB];
    static block_q8_1 q81[XROWS][NB];
    for (int r = 0; r < XROWS; r++) {
        fprintf(out, "x %d", r);
        for (int i = 0; i < COLS; i++) fprintf(out, " %08x", bits(x[r * COLS + i]));
        fprintf(out, "\n");
        quantize_row_q8_0_ref(x + r * COLS, q80[r], COLS);
        quantize_row_q8_1_ref(x + r * COLS, q81[r], COLS);
        for (int b = 0; b < NB; b++) {
            if (memcmp(q80[r][b].qs, q81[r][b].qs, QK) != 0 || q80[r][b].d != q81[r][b].d) {
                fprintf(stderr, "Q8_0 and Q8_1 codes differ in row %d block %d\n", r, b);
                return 1;
            }
            fprintf(out, "q8 %d %d %08x %08x", r, b, bits(ggml_fp16_to_fp32(q81[r][b].d)),
                    bits(ggml_fp16_to_fp32(q81[r][b].s)));
            for (int i = 0; i < QK; i++) fprintf(out, " %d", q81[r][b].qs[i]);
            fprintf(out, "\n");
        }
    }
    for (size_t t = 0; t < sizeof TYPES / sizeof TYPES[0]; t++) {
        enum ggml_type type = TYPES[t].type;
        size_t row = ggml_row_size(type, COLS);
        uint8_t *q = malloc(row * ROWS);
        ggml_quantize_chunk(type, w, q, 0, ROWS, COLS, NULL);
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < row * ROWS; i++) h = (h ^ q[i]) * 16777619u;
        fprintf(out, "blocks %s %08x\n", ggml_type_name(type), h);
        const struct ggml_type_traits_cpu *cpu = ggml_get_type_traits_cpu(type);
        for (int r = 0; r < ROWS; r++) {
            for (int a = 0; a < XROWS; a++) {
                const void *y;
                if (cpu->vec_dot_type == GGML_TYPE_Q8_0) y = q80[a];
                else if (cpu->vec_dot_type == GGML_TYPE_Q8_1) y = q81[a];
                else {
                    fprintf(stderr, "%s: vec_dot_type is neither Q8_0 nor Q8_1\n", ggml_type_name(type));
                    return 1;
                }
                float g = 0, s = 0;
                TYPES[t].generic(COLS, &g, 0, q + r * row, 0, y, 0, 1);
                cpu->vec_dot(COLS, &s, 0, q + r * row, 0, y, 0, 1);
                fprintf(out, "dot %s %d %d %08x %08x\n", ggml_type_name(type), r, a, bits(g), bits(s));
            }
        }
        free(q);
    }
    fclose(out);
    return 0;
}
