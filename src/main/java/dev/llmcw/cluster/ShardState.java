package dev.llmcw.cluster;

/** Where one shard (array task) of a Slurm suite stands, as the Jobs view shows it. */
public enum ShardState {
    /** Submitted, waiting in the queue (or for its compression). */
    PENDING,
    RUNNING,
    /** Its output file exists. */
    DONE,
    /** It ended without output and was submitted again; waiting in the queue. */
    RESUBMITTED,
    /** Given up after its retries (or its compression was); Resubmit or running the suite again retries it. */
    FAILED;

    public boolean finished() {
        return this == DONE || this == FAILED;
    }
}
