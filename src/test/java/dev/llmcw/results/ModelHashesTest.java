package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHashesTest {
    @TempDir
    Path dir;

    @Test
    void singleFileHashIsItsSha256AndIsCached() throws Exception {
        Path f = Files.writeString(dir.resolve("m.bin"), "weights v1");
        Path cache = dir.resolve("cache.json");
        var h = new ModelHashes(cache);
        assertThat(h.hash(f)).isEqualTo(Hashing.sha256("weights v1"));
        assertThat(cache).exists();
        // A fresh instance trusts the cache while size+mtime are unchanged: prove it by
        // changing content behind its back while restoring the mtime.
        FileTime t = Files.getLastModifiedTime(f);
        Files.writeString(f, "weights v2");
        Files.setLastModifiedTime(f, t);
        assertThat(new ModelHashes(cache).hash(f)).isEqualTo(Hashing.sha256("weights v1"));
        // A real change (new mtime) is hashed again.
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(new ModelHashes(cache).hash(f)).isEqualTo(Hashing.sha256("weights v2"));
    }

    @Test
    void folderHashCoversSortedSafetensorsOnly() throws Exception {
        Path m = Files.createDirectory(dir.resolve("hf"));
        Files.writeString(m.resolve("model-00002-of-00002.safetensors"), "b");
        Files.writeString(m.resolve("model-00001-of-00002.safetensors"), "a");
        Files.writeString(m.resolve("config.json"), "{}");
        var h = new ModelHashes(null);
        assertThat(ModelHashes.weightFiles(m))
                .extracting(p -> p.getFileName().toString())
                .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        String expected = Hashing.sha256("model-00001-of-00002.safetensors\t" + Hashing.sha256("a") + "\n"
                + "model-00002-of-00002.safetensors\t" + Hashing.sha256("b") + "\n");
        assertThat(h.hash(m)).isEqualTo(expected);
        Files.writeString(m.resolve("config.json"), "{\"changed\":1}");
        assertThat(h.hash(m)).isEqualTo(expected);
        Files.writeString(m.resolve("model-00002-of-00002.safetensors"), "c");
        Files.setLastModifiedTime(
                m.resolve("model-00002-of-00002.safetensors"),
                FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(h.hash(m)).isNotEqualTo(expected);
    }

    @Test
    void badPathsNameTheProblem() throws Exception {
        assertThatThrownBy(() -> new ModelHashes(null).hash(dir.resolve("nope")))
                .hasMessageContaining("nope");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> new ModelHashes(null).hash(empty)).hasMessageContaining("no weight files");
        // a damaged cache is ignored, not fatal
        Path cache = Files.writeString(dir.resolve("bad.json"), "{oops");
        Path f = Files.writeString(dir.resolve("m.bin"), "x");
        assertThat(new ModelHashes(cache).hash(f)).isEqualTo(Hashing.sha256("x"));
    }
}
