package dev.llmcw.app;

/**
 * A feature whose engine layer is not part of this build yet. The GUI shows the message as an honest
 * "not available" state instead of inventing numbers.
 */
public class NotAvailableException extends RuntimeException {
    public NotAvailableException(String message) {
        super(message);
    }
}
