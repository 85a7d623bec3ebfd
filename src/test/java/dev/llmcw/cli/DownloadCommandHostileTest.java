package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.data.LoopbackServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code download model --out DIR} against a hub whose index climbs out of DIR: one sentence, exit code 1, nothing outside DIR. */
class DownloadCommandHostileTest {
    @TempDir
    Path dir;

    @Test
    void hostileIndexIsRefusedAndNothingLandsOutsideOut() throws Exception {
        try (var server = new LoopbackServer()) {
            String r = "/org/climb/resolve/main/";
            server.put(r + "config.json", "{}".getBytes());
            server.put(
                    r + "model.safetensors.index.json",
                    "{\"weight_map\": {\"a\": \"../../evil.safetensors\"}}".getBytes());
            server.put(r + "../../evil.safetensors", "evil".getBytes());
            server.put("/org/evil.safetensors", "evil".getBytes());
            server.put("/evil.safetensors", "evil".getBytes());
            Path out = dir.resolve("a/out");
            var res = ResultsCommandsTest.run(
                    "download", "model", "org/climb", "--endpoint", server.base(), "--out", out.toString());
            assertThat(res.rc()).isNotZero();
            assertThat(res.err())
                    .contains("org/climb@main")
                    .contains("refusing the file name \"../../evil.safetensors\"");
            try (Stream<Path> all = Files.walk(dir)) {
                assertThat(all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)))
                        .allSatisfy(p ->
                                assertThat(p.startsWith(out)).as(p.toString()).isTrue());
            }
        }
    }
}
