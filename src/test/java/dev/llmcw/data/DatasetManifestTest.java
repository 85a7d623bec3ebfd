package dev.llmcw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetManifestTest {
    @TempDir
    Path tmp;

    private Path manifest(int declared, String format, String file) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("set"));
        Files.writeString(dir.resolve("manifest.json"), """
                {"name": "set", "items": 100,
                 "upstream": {"format": "%s", "files": [{"name": "%s", "url": "https://example.org/%s"}]},
                 "sample": {"format": "%s", "items": %d, "files": [{"name": "sample/%s"}]}}
                """.formatted(format, file, file, format, declared, file));
        Files.createDirectories(dir.resolve("sample"));
        return dir.resolve("manifest.json");
    }

    @Test
    void aSampleWithFewerItemsThanDeclaredIsRefused() throws Exception {
        Path m = manifest(3, "boolq-superglue-jsonl", "val.jsonl");
        Files.writeString(m.resolveSibling("sample/val.jsonl"), "{\"a\":1}\n{\"a\":2}\n");
        assertThatThrownBy(() -> DatasetManifest.read(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(m.toString())
                .hasMessageContaining("declares 3")
                .hasMessageContaining("holds 2");
        Files.writeString(m.resolveSibling("sample/val.jsonl"), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n\n");
        assertThat(DatasetManifest.read(m).sample().items()).isEqualTo(3);
    }

    @Test
    void storiesAndArticlesAreCountedByTheirSeparators() throws Exception {
        Path m = manifest(3, "tinystories-eot-txt", "stories.txt");
        Files.writeString(m.resolveSibling("sample/stories.txt"), "One.\n<|endoftext|>\nTwo.\n<|endoftext|>\n");
        assertThatThrownBy(() -> DatasetManifest.read(m))
                .hasMessageContaining("declares 3")
                .hasMessageContaining("holds 2");
        Path w = manifest(2, "wikitext-raw", "wiki.raw");
        Files.writeString(w.resolveSibling("sample/wiki.raw"), " = A = \n text \n = = Part = = \n more \n");
        assertThatThrownBy(() -> DatasetManifest.read(w))
                .hasMessageContaining("declares 2")
                .hasMessageContaining("holds 1");
    }

    @Test
    void everyRepositoryManifestMatchesItsSample() throws Exception {
        Path root = Path.of("datasets");
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                DatasetManifest m = DatasetManifest.read(d.resolve("manifest.json"));
                assertThat(m.sample().items()).as(d.toString()).isPositive();
            }
        }
    }
}
