package dev.llmcw.compress.caldera.adapt;

import java.util.Locale;

/**
 * The block-by-block stage before the end-to-end fine-tuning (algorithms.md, "Block-wise fine-tuning"): each
 * decoder block of the compressed model is trained to reproduce the original block's output on a development
 * set (mean squared error), training its RMSNorm weights and/or its matrices' Hadamard scales SU/SV.
 * Defaults after QuIP#'s {@code finetune_decoder_layer} (which CALDERA builds on): Adam without weight decay,
 * SU/SV at {@code ft_susv_lr} 5e-4 and the other parameters (norms) at {@code ft_lr} 5e-5, 5 epochs, 8
 * sequences per update ({@code ft_bs} 4 × {@code ft_update_freq} 2), the state with the best validation MSE
 * kept; learning rates scaled for small models (docs).
 *
 * @param norms         train each block's two RMSNorm weights
 * @param hadamard      train each matrix's SU/SV (stored in the file afterwards, F16)
 * @param endToEnd      run the end-to-end (language-model loss) stage afterwards
 * @param epochs        passes over the development blocks, per decoder block
 * @param scaleLr       learning rate of SU/SV
 * @param normLr        learning rate of the RMSNorm weights
 * @param blocksPerStep development blocks whose gradients are averaged per update
 */
public record BlockwiseSettings(
        boolean norms,
        boolean hadamard,
        boolean endToEnd,
        int epochs,
        double scaleLr,
        double normLr,
        int blocksPerStep) {
    /** No block-wise stage, end to end only: what {@code finetune} did before. */
    public static final BlockwiseSettings OFF = new BlockwiseSettings(false, false, true, 5, 5e-3, 5e-4, 4);

    public BlockwiseSettings {
        if (epochs < 1) throw new IllegalArgumentException("--blockwise-epochs must be ≥ 1: " + epochs);
        if (!(scaleLr > 0)) throw new IllegalArgumentException("--blockwise-scale-lr must be > 0: " + scaleLr);
        if (!(normLr > 0)) throw new IllegalArgumentException("--blockwise-norm-lr must be > 0: " + normLr);
        if (blocksPerStep < 1) throw new IllegalArgumentException("--blockwise-batch must be ≥ 1: " + blocksPerStep);
        if (!endToEnd && !norms && !hadamard)
            throw new IllegalArgumentException(
                    "--no-end-to-end leaves nothing to train: add --blockwise-norms and/or --blockwise-hadamard");
    }

    /** Whether there is a block-wise stage at all. */
    public boolean enabled() {
        return norms || hadamard;
    }

    /** One line recorded in the adapted file's parameters (part of a stored run's identity). */
    public String describe() {
        String what = norms && hadamard ? "RMSNorm + Hadamard SU/SV" : norms ? "RMSNorm" : "Hadamard SU/SV";
        return String.format(
                Locale.ROOT,
                "block-wise %s, %d epochs, lr SU/SV %s norms %s, %d blocks per step%s",
                what,
                epochs,
                scaleLr,
                normLr,
                blocksPerStep,
                endToEnd ? "" : ", no end-to-end stage");
    }
}
