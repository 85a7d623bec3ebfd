package dev.llmcw.data;

/** A download that failed; the message names the URL and what went wrong (HTTP status, network, checksum). */
public final class DownloadException extends RuntimeException {
    private final int status;

    public DownloadException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public DownloadException(String message) {
        this(message, -1, null);
    }

    /** The HTTP status, or -1 when the failure was not an HTTP error response. */
    public int status() {
        return status;
    }
}
