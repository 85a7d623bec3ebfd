package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.testing.Slow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressCalderaCommandTest {
    @Slow
    @Test
    void compressesWithCalderaRtnAndGptqFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path model = TestData.stories260K();
        Path calib = dir.resolve("calib.txt");
        Files.writeString(
                calib,
                "Once upon a time there was a little girl named Lily. She loved to play in the park with her dog Max. "
                        .repeat(20));
        for (String[] args : new String[][] {
            {
                "--method",
                "caldera",
                "--rank",
                "4",
                "--outer-iters",
                "2",
                "--inner-iters",
                "2",
                "--calib",
                calib.toString(),
                "--calib-seqs",
                "2",
                "--calib-len",
                "64"
            },
            {"--method", "rtn", "--bits", "3", "--group", "32"},
            {
                "--method",
                "gptq",
                "--bits",
                "3",
                "--group",
                "32",
                "--calib",
                calib.toString(),
                "--calib-seqs",
                "2",
                "--calib-len",
                "64"
            }
        }) {
            Path out = dir.resolve(args[1] + ".safetensors");
            String[] all = new String[args.length + 4];
            all[0] = "compress";
            System.arraycopy(args, 0, all, 1, args.length);
            all[args.length + 1] = "--model";
            all[args.length + 2] = model.toString();
            all[args.length + 3] = "--out=" + out;
            assertThat(Cli.execute(all)).as(String.join(" ", args)).isZero();
            Model m = ModelLoader.load(out);
            assertThat(m.format()).isEqualTo(args[1]);
            assertThat(m.linears()).hasSize(35);
        }
        // The H cache beside the output was written once and reused by GPTQ.
        assertThat(Files.list(dir.resolve("hessian-cache")).count()).isEqualTo(1);
    }

    @Test
    void calderaWithoutCalibrationFailsWithAClearMessage(@TempDir Path dir) {
        var err = new ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new PrintStream(err));
        int rc;
        try {
            rc = Cli.execute(
                    "compress",
                    "--method",
                    "caldera",
                    "--model",
                    TestData.stories260K().toString(),
                    "--out",
                    dir.resolve("x").toString());
        } finally {
            System.setErr(old);
        }
        assertThat(rc).isNotZero();
    }
}
