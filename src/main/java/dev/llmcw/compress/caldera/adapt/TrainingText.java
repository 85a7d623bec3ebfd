package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationCheck;
import dev.llmcw.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A text file cut into blocks of {@code blockLen} tokens as the official fine-tuning scripts do
 * ({@code group_texts}: the whole text tokenised and cut into consecutive blocks), each block starting with BOS
 * like the calibration sequences ({@link Calibration#sequences}), at most {@code maxBlocks} of them.
 */
public record TrainingText(Path file, List<int[]> blocks, int[] tokens) {
    public static TrainingText read(Path file, Tokenizer tok, int blockLen, int maxBlocks) throws IOException {
        String problem = CalibrationCheck.fileProblem(file);
        if (problem != null) throw new IllegalArgumentException(problem.replace("calibration file", "text file"));
        int[] ids = tok.encode(Files.readString(file, StandardCharsets.UTF_8));
        int body = tok.bosId() >= 0 ? blockLen - 1 : blockLen;
        int available = ids.length / body;
        if (available < 1)
            throw new IllegalArgumentException(file + ": tokenises to " + ids.length
                    + " tokens, fewer than one block of " + blockLen + "; use a longer file or a smaller --block-len");
        int count = maxBlocks > 0 ? Math.min(maxBlocks, available) : available;
        List<int[]> blocks = new ArrayList<>(Calibration.sequences(file, tok, count, blockLen));
        int[] used = new int[Math.min(ids.length, count * body)];
        System.arraycopy(ids, 0, used, 0, used.length);
        return new TrainingText(file, List.copyOf(blocks), used);
    }

    /** "NAME, N × L tokens", as calibration is recorded. */
    public String describe() {
        return file.getFileName() + ", " + blocks.size() + " × " + blocks.getFirst().length + " tokens";
    }

    /**
     * Null when this text shares no passage with {@code other}, else one sentence saying how many
     * {@value CalibrationCheck#WINDOW}-token passages they share.
     */
    public String overlap(Path otherFile, int[] otherTokens, String role) {
        int shared = CalibrationCheck.sharedPassages(tokens, otherTokens);
        if (shared == 0) return null;
        return "the training text " + file + " shares " + shared + " passages of " + CalibrationCheck.WINDOW
                + " tokens with the " + role + " " + otherFile + "; its loss would measure memorisation, not recovery";
    }
}
