package dev.llmcw.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Needs a running Slurm (sbatch, squeue, an idle node: {@code tools/slurm-local start}); also slow, so
 * {@code tools/test --fast} leaves it out. Run alone with {@code mvn test -Dgroups=slurm}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(SlurmCluster.TAG)
@Tag(Slow.TAG)
public @interface SlurmCluster {
    String TAG = "slurm";
}
