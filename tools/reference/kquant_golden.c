// Golden values for the workbench's reading of llama.cpp block types (GgmlDequantGoldenTest).
// Quantises a fixed pseudo-random matrix with llama.cpp's own ggml_quantize_chunk (what llama-quantize
// calls per tensor, no importance matrix) and dequantises it with llama.cpp's own to_float
// (dequantize_row_* in ggml/src/ggml-quants.c, from libggml-base.a as built by the llama.cpp tree).
// Writes, per type T: OUT/T.blocks (the quantised bytes), OUT/T.f32 (llama.cpp's dequantised floats,
// little-endian) and OUT/input.f32 (the float input). Built and run by kquant_golden.sh.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"

#define ROWS 4
#define COLS 512

static uint64_t state = 0x9E3779B97F4A7C15ull;

static double uniform(void) {  // xorshift64*, in (0, 1)
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return ((state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
}

static double gauss(void) { return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform()); }

static void write_file(const char *dir, const char *name, const char *ext, const void *p, size_t n) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    // Rows with different character: Gaussian; Gaussian with a scale per 32 values and outliers;
    // all positive (exercises the mins); tiny values with an all-zero stretch.
    static float x[ROWS * COLS];
    for (int i = 0; i < COLS; i++) {
        x[i] = (float)(0.02 * gauss());
        double s = 0.005 * (1 + (i / 32) % 7);
        x[COLS + i] = (float)(s * gauss() * ((i % 97) == 5 ? 12.0 : 1.0));
        x[2 * COLS + i] = (float)(0.1 + 0.05 * uniform());
        x[3 * COLS + i] = (i >= 64 && i < 128) ? 0.0f : (float)(1e-4 * gauss());
    }
    write_file(argv[1], "input", ".f32", x, sizeof x);
    const enum ggml_type types[] = {GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K,
                                    GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_IQ4_NL};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        enum ggml_type type = types[t];
        size_t row = ggml_row_size(type, COLS);
        uint8_t *q = malloc(row * ROWS);
        float *y = malloc(sizeof(float) * ROWS * COLS);
        size_t n = ggml_quantize_chunk(type, x, q, 0, ROWS, COLS, NULL);
        if (n != row * ROWS) {
            fprintf(stderr, "%s: %zu bytes, expected %zu\n", ggml_type_name(type), n, row * ROWS);
            return 1;
        }
        ggml_get_type_traits(type)->to_float(q, y, (int64_t)ROWS * COLS);
        write_file(argv[1], ggml_type_name(type), ".blocks", q, n);
        write_file(argv[1], ggml_type_name(type), ".f32", y, sizeof(float) * ROWS * COLS);
        free(q);
        free(y);
    }
    return 0;
}
