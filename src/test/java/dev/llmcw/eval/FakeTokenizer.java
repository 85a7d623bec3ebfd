package dev.llmcw.eval;

import dev.llmcw.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test double: a word-level tokenizer whose tokens carry their leading whitespace (" yes" is one token,
 * like SentencePiece/BPE "▁yes"), so encoding the whole context+continuation differs from encoding the
 * parts when a space sits at the boundary. Ids are the piece's hash folded into the vocabulary size
 * (thread-safe: the evaluator scores items in parallel). BOS 1, EOS 2.
 */
class FakeTokenizer implements Tokenizer {
    private static final Pattern PIECE = Pattern.compile("\\s*[^\\s]+|\\s+");
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final int vocab;
    private final boolean addsBos;

    FakeTokenizer(int vocab, boolean addsBos) {
        this.vocab = vocab;
        this.addsBos = addsBos;
    }

    @Override
    public int[] encode(String text) {
        Matcher m = PIECE.matcher(text);
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            String p = m.group();
            out.add(ids.computeIfAbsent(p, k -> 3 + Math.floorMod(k.hashCode(), vocab - 3)));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] tokens) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int bosId() {
        return 1;
    }

    @Override
    public int eosId() {
        return 2;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public boolean addsBosByDefault() {
        return addsBos;
    }
}
