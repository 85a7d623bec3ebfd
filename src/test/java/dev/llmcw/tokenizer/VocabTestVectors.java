package dev.llmcw.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors. The .inp file was written as, per input,
 * {@code text + "\n__ggml_vocab_test__\n"}, so splitting on that exact separator recovers every input,
 * including ones that start or end with newlines. The .out file has one line per input: the ids, each
 * preceded by a space (an empty line for an empty result).
 */
record VocabTestVectors(List<String> inputs, List<int[]> expected) {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static VocabTestVectors read(Path inp, Path out) throws IOException {
        String raw = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        int from = 0;
        while (from < raw.length()) {
            int at = raw.indexOf(SEPARATOR, from);
            if (at < 0) throw new IOException(inp + ": text after the last separator");
            inputs.add(raw.substring(from, at));
            from = at + SEPARATOR.length();
        }
        List<int[]> expected = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String t = line.trim();
            expected.add(
                    t.isEmpty()
                            ? new int[0]
                            : Arrays.stream(t.split(" +"))
                                    .mapToInt(Integer::parseInt)
                                    .toArray());
        }
        if (inputs.size() != expected.size())
            throw new IOException(inp + ": " + inputs.size() + " inputs but " + expected.size() + " outputs");
        return new VocabTestVectors(inputs, expected);
    }

    /** Descriptions of every input whose encoding differs from the expected ids (empty if all match). */
    List<String> mismatches(Tokenizer tok) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] got = tok.encode(inputs.get(i));
            if (!Arrays.equals(got, expected.get(i))) {
                bad.add("#" + i + " " + escape(inputs.get(i)) + "\n   want " + Arrays.toString(expected.get(i))
                        + "\n   got  " + Arrays.toString(got));
            }
        }
        return bad;
    }

    static String escape(String s) {
        String e = s.replace("\n", "\\n").replace("\t", "\\t");
        return "\"" + (e.length() > 60 ? e.substring(0, 60) + "…" : e) + "\"";
    }
}
