package dev.llmcw.cli;

import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "tokenize",
        description =
                "Encode text with a tokenizer (GGUF, tokenizer.json, folder, llama2.c .bin), or time it on a file.")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            description =
                    "tokenizer: GGUF file, tokenizer.json, folder with tokenizer.json or vocab.json+merges.txt, llama2.c tokenizer .bin")
    Path tokenizer;

    @Parameters(index = "1", arity = "0..1", description = "text to encode")
    String text;

    @Option(names = "--file", description = "encode the whole content of this file")
    Path file;

    @Option(
            names = "--bench",
            description = "encode every line of this file (twice: cold, then with warm caches) and report throughput")
    Path bench;

    @Option(names = "--decode", description = "also print decode(encode(text))")
    boolean decode;

    @Override
    public Integer call() throws Exception {
        Tokenizer tok = ModelLoader.openTokenizer(tokenizer);
        System.out.printf(
                "tokenizer: %s, vocab %d, bos %d, eos %d, adds BOS by default: %s%n",
                tok.getClass().getSimpleName(), tok.vocabSize(), tok.bosId(), tok.eosId(), tok.addsBosByDefault());
        if (bench != null) {
            List<String> lines = Files.readAllLines(bench, StandardCharsets.UTF_8);
            long bytes = 0;
            for (String l : lines) bytes += l.getBytes(StandardCharsets.UTF_8).length;
            for (String pass : new String[] {"cold", "warm"}) {
                long t0 = System.nanoTime(), tokens = 0;
                for (String l : lines) tokens += tok.encode(l).length;
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "%s: %d lines, %,d bytes -> %,d tokens in %.3f s (%,.0f tokens/s, %.1f MB/s)%n",
                        pass, lines.size(), bytes, tokens, s, tokens / s, bytes / s / 1e6);
            }
            return 0;
        }
        String s = file != null ? Files.readString(file, StandardCharsets.UTF_8) : text;
        if (s == null) throw new IllegalArgumentException("give a text, --file or --bench");
        int[] ids = tok.encode(s);
        var sb = new StringBuilder();
        for (int id : ids) sb.append(sb.isEmpty() ? "" : " ").append(id);
        System.out.println(sb);
        if (decode) System.out.println(tok.decode(ids));
        return 0;
    }
}
